"""diff() on hand-made frames: support lists, OS version ranges and page notes."""

from __future__ import annotations

import pytest

from tests.diff_support import feature, item, note, osv, run

# -- support items, OS versions, notes ---------------------------------------------------------


def test_support_items_added_removed_moved() -> None:
    old = [item("Docker V2 images"), item("EKS private clusters", "Unsupported"), item("Windows images", "Supported")]
    new = [item("Docker V2 images"), item("Windows images", "Unsupported"), item("Docker Hub", "Supported")]
    changes = run({"support_items": old}, {"support_items": new})
    by_kind = {r["kind"]: r for _, r in changes.iterrows()}
    assert set(by_kind) == {"added", "removed", "moved"}
    assert by_kind["moved"]["severity"] == "high" and (by_kind["moved"]["old"], by_kind["moved"]["new"]) == (
        "Supported",
        "Unsupported",
    )
    assert by_kind["removed"]["subject"] == "EKS private clusters"
    assert "no longer listed as Unsupported" in by_kind["removed"]["summary"]
    assert by_kind["added"]["subject"] == "Docker Hub"


def test_support_items_under_a_moved_or_retitled_heading_are_no_change() -> None:
    old = [item("Docker V2 images", section="A", subheading="x"), item("OCI images", section="A")]
    new = [item("OCI images.", section="B"), item("docker v2 images", section="B", subheading="y")]
    assert run({"support_items": old}, {"support_items": new}).empty


@pytest.mark.parametrize(
    ("old", "new", "kind"),
    [
        (dict(version_min="12.04", version_max="22.04"), dict(version_min="12.04", version_max="24.04"), "extended"),
        (dict(version_min="3.12", version_max="3.21"), dict(version_min="3.9", version_max="3.21"), "extended"),
        (dict(version_min="6", version_max="9"), dict(version_min="7", version_max="9"), "narrowed"),
        (dict(versions=["1", "2"]), dict(versions=["2", "2023"]), "changed"),
        (dict(version_min="4.6", open_ended="up"), dict(version_min="4.10", open_ended="up"), "narrowed"),
        (dict(versions=["1.28"], open_ended="down"), dict(versions=["1.29"], open_ended="down"), "extended"),
    ],
)
def test_os_version_ranges(old: dict, new: dict, kind: str) -> None:
    changes = run({"os_versions": [osv("Ubuntu", "old", **old)]}, {"os_versions": [osv("Ubuntu", "new", **new)]})
    assert list(changes["kind"]) == [kind]
    assert changes.iloc[0]["subject"] == "Ubuntu" and changes.iloc[0]["field"] == "versions"


def test_ubuntu_extended_sentence_and_list_lines() -> None:
    old = [
        osv("Ubuntu", f"Ubuntu {v}", versions=[v], context="Supported host operating systems")
        for v in ("20.04", "22.04")
    ]
    new = [*old, osv("Ubuntu", "Ubuntu 24.04", versions=["24.04"], context="Supported host operating systems")]
    changes = run({"os_versions": old}, {"os_versions": new})
    assert list(changes["kind"]) == ["extended"]
    assert changes.iloc[0]["summary"] == (
        "Ubuntu versions under Supported host operating systems (Azure) extended from 20.04, 22.04 to 20.04, 22.04, 24.04."
    )
    # the same versions written as one line instead of three: no change
    joined = [
        osv(
            "Ubuntu",
            "Ubuntu 20.04, 22.04, 24.04",
            versions=["20.04", "22.04", "24.04"],
            context="Supported host operating systems",
        )
    ]
    assert run({"os_versions": new}, {"os_versions": joined}).empty


def test_os_added_removed_and_note_changed() -> None:
    old = [
        osv("CentOS", "CentOS 6-9", version_min="6", version_max="9"),
        osv("Alpine Linux", "Alpine Linux 3.12-3.21", version_min="3.12", version_max="3.21"),
    ]
    new = [
        osv("CentOS", "CentOS 6-9 (End Of Service)", version_min="6", version_max="9", note="End Of Service"),
        osv("Azure Linux", "Azure Linux 1.0", versions=["1.0"]),
    ]
    changes = run({"os_versions": old}, {"os_versions": new})
    got = {(r["kind"], r["subject"], r["field"]) for _, r in changes.iterrows()}
    assert got == {
        ("removed", "Alpine Linux", "versions"),
        ("added", "Azure Linux", "versions"),
        ("changed", "CentOS", "note"),
    }


def test_an_os_line_is_not_also_a_support_item_change() -> None:
    old = {
        "support_items": [item("Alpine Linux 3.12-3.20")],
        "os_versions": [
            osv("Alpine Linux", "Alpine Linux 3.12-3.20", version_min="3.12", version_max="3.20", environment="AWS")
        ],
    }
    new = {
        "support_items": [item("Alpine Linux 3.12-3.21")],
        "os_versions": [
            osv("Alpine Linux", "Alpine Linux 3.12-3.21", version_min="3.12", version_max="3.21", environment="AWS")
        ],
    }
    assert list(run(old, new)["kind"]) == ["extended"]


def test_notes_added_removed_reworded() -> None:
    old = [
        note("For additional requirements for Kubernetes workload protection, see existing limitations."),
        note("Old caution", "CAUTION"),
    ]
    new = [
        note("For additional requirements for Kubernetes workload protection, see the existing limitations."),
        note("A new tip", "TIP"),
    ]
    changes = run({"notes": old}, {"notes": new})
    assert sorted(zip(changes["kind"], changes["field"])) == [
        ("added", "text"),
        ("changed", "text"),
        ("removed", "text"),
    ]
    assert set(changes["severity"]) == {"low"}


def test_a_note_moved_or_under_a_renamed_tab_is_no_change() -> None:
    old = {
        "notes": [note("N", tab="Arc enabled Kubernetes")],
        "features": [feature("F", environment="Arc-enabled Kubernetes", environment_label="Arc enabled Kubernetes")],
    }
    new = {
        "notes": [note("N", tab="Arc-enabled Kubernetes")],
        "features": [feature("F", environment="Arc-enabled Kubernetes", environment_label="Arc-enabled Kubernetes")],
    }
    assert run(old, new).empty
    assert run({"notes": [note("N", section="A")]}, {"notes": [note("N", section="B")]}).empty


def test_a_list_for_all_environments_repeated_per_tab_is_no_change() -> None:
    ctx = "Supported features by environment / Supported host operating systems"
    old = [osv("Ubuntu", "Ubuntu 22.04", versions=["22.04"], context=ctx, environment=None)]
    new = [osv("Ubuntu", "Ubuntu 22.04", versions=["22.04"], context=ctx, environment=env) for env in ("AWS", "GCP")]
    assert run({"os_versions": old}, {"os_versions": new}).empty
    assert run({"os_versions": new}, {"os_versions": old}).empty
    wider = [osv("Ubuntu", "Ubuntu 22.04, 24.04", versions=["22.04", "24.04"], context=ctx, environment="AWS")]
    assert list(run({"os_versions": old}, {"os_versions": wider})["kind"]) == ["extended"]
