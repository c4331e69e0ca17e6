"""diff() on hand-made frames: every change kind, and no change where only the form changed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline._io import read_dataset, write_dataset
from pipeline.diff import change_id, compare, diff
from pipeline.schema import CHANGES
from tests.diff_support import MALWARE, feature, frame, item, kinds, note, run, support

# -- feature support ------------------------------------------------------------------


def test_promotion_reads_as_one_sentence() -> None:
    new = [dict(r) for r in MALWARE]
    new[0]["state"] = "GA"
    changes = run({"feature_support": MALWARE}, {"feature_support": new})
    assert len(changes) == 1
    row = changes.iloc[0]
    assert row["kind"] == "promoted" and row["severity"] == "medium"
    assert row["summary"] == "Malware detection (AKS nodes, Linux) on Azure went from Preview to GA."
    assert (row["environment"], row["feature"], row["resource"], row["platform"]) == (
        "Azure",
        "Malware detection",
        "AKS nodes",
        "Linux",
    )
    assert (row["field"], row["old"], row["new"]) == ("state", "Preview", "GA")
    assert (row["old_revision"], row["new_revision"]) == ("a" * 16, "b" * 16)
    assert (row["old_ms_date"], row["new_ms_date"]) == ("2025-01-01", "2025-02-01")
    assert (row["old_git_commit_id"], row["new_git_commit_id"]) == ("1111111", "2222222")
    assert row["detected_at"] == "2025-02-01T00:00:00Z"


@pytest.mark.parametrize(
    ("old", "new", "kind", "severity"),
    [
        ("Preview", "GA", "promoted", "medium"),
        ("Not available", "Preview", "promoted", "medium"),
        ("Not available", "GA", "promoted", "medium"),
        ("GA", "Preview", "demoted", "high"),
        ("Preview", "Not available", "demoted", "high"),
        ("GA", "Unknown", "state_changed", "medium"),
        (None, "GA", "state_changed", "medium"),
    ],
)
def test_state_kinds(old: str | None, new: str | None, kind: str, severity: str) -> None:
    changes = run(
        {"feature_support": [support("F", "AKS", "Linux", old)]},
        {"feature_support": [support("F", "AKS", "Linux", new)]},
    )
    assert list(changes["kind"]) == [kind] and list(changes["severity"]) == [severity]


def test_added_and_removed_rows() -> None:
    new = [*MALWARE[:3], support("Malware detection", "EKS", "Linux", "Preview", environment="AWS")]
    changes = run({"feature_support": MALWARE}, {"feature_support": new})
    assert kinds(changes) == ["added", "removed"]
    removed = changes[changes["kind"] == "removed"].iloc[0]
    assert removed["severity"] == "high" and removed["platform"] == "Windows" and removed["new"] is None
    added = changes[changes["kind"] == "added"].iloc[0]
    assert added["environment"] == "AWS" and added["new"] == "Preview" and added["old"] is None


def test_note_change_without_state_change() -> None:
    new = [dict(r) for r in MALWARE]
    new[1]["note"] = "Limited preview"
    changes = run({"feature_support": MALWARE}, {"feature_support": new})
    assert list(changes["kind"]) == ["note_changed"]
    assert changes.iloc[0]["severity"] == "low" and changes.iloc[0]["new"] == "Limited preview"


def test_a_note_that_goes_with_a_state_change_is_part_of_it() -> None:
    old = [support("F", "AKS", "Linux", "Preview", "currently supports audit logs")]
    changes = run({"feature_support": old}, {"feature_support": [support("F", "AKS", "Linux", "GA")]})
    assert list(changes["kind"]) == ["promoted"]
    assert "currently supports audit logs" in changes.iloc[0]["summary"]


def test_reordered_rows_and_reformatted_text_are_no_change() -> None:
    shuffled = [dict(r) for r in reversed(MALWARE)]
    shuffled[0]["resource"] = " aks "  # case and spacing are form, not content
    assert run({"feature_support": MALWARE}, {"feature_support": shuffled}).empty


def test_a_row_split_in_two_that_says_the_same_is_no_change() -> None:
    old = [support("Container registry VA", r, "Linux", "GA") for r in ("ACR", "Private ACR")]
    # the normaliser suffixes the keys of same-named rows with their resources
    new = [
        support("Container registry VA", r, "Linux", "GA", feature_key=f"Azure|container registry va|{r.lower()}")
        for r in ("ACR", "Private ACR")
    ]
    assert run({"feature_support": old}, {"feature_support": new}).empty
    new[1]["state"] = "Preview"
    changes = run({"feature_support": old}, {"feature_support": new})
    assert list(changes["kind"]) == ["demoted"] and changes.iloc[0]["resource"] == "Private ACR"


def test_single_release_state_column_becomes_linux() -> None:
    old = [support("F", "AKS", "Any", "GA")]
    new = [support("F", "AKS", "Linux", "GA"), support("F", "AKS", "Windows", "Not available")]
    changes = run({"feature_support": old}, {"feature_support": new})
    assert list(changes["kind"]) == ["added"] and changes.iloc[0]["platform"] == "Windows"


def test_duplicate_keys_do_not_break_the_diff() -> None:
    old = [support("F", "AKS", "Linux", "GA"), support("F", "AKS", "Linux", "GA")]
    assert run({"feature_support": old}, {"feature_support": old[:1]}).empty


# -- change ids -------------------------------------------------------------------------


def test_change_id_is_content_not_revision() -> None:
    new = [dict(r) for r in MALWARE]
    new[0]["state"] = "GA"
    first = run({"feature_support": MALWARE}, {"feature_support": new})
    again = diff(
        {"feature_support": frame("feature_support", MALWARE)},
        {"feature_support": frame("feature_support", new)},
        {"id": "c" * 16},
        {"id": "d" * 16, "fetched_at": "2026-01-01T00:00:00Z"},
    )
    assert list(first["change_id"]) == list(again["change_id"])
    assert len(first.iloc[0]["change_id"]) == 16 and int(first.iloc[0]["change_id"], 16) >= 0


def test_a_flap_is_distinct_changes() -> None:
    ga = [support("F", "AKS", "Linux", "GA")]
    preview = [support("F", "AKS", "Linux", "Preview")]
    down = run({"feature_support": ga}, {"feature_support": preview})
    up = run({"feature_support": preview}, {"feature_support": ga})
    assert down.iloc[0]["change_id"] != up.iloc[0]["change_id"]
    assert (down.iloc[0]["kind"], up.iloc[0]["kind"]) == ("demoted", "promoted")


def test_ids_are_unique_within_a_diff_and_match_change_id() -> None:
    new = [dict(r, state="GA") for r in MALWARE]
    changes = run({"feature_support": MALWARE}, {"feature_support": new})
    assert changes["change_id"].is_unique and len(changes) == 3  # Binary drift on Linux was GA already
    found = compare(
        {"feature_support": frame("feature_support", MALWARE)}, {"feature_support": frame("feature_support", new)}
    )
    assert sorted(change_id(c) for c in found) == sorted(changes["change_id"])


# -- feature attributes and footnotes ------------------------------------------------------


def test_attribute_changes_ignore_list_order() -> None:
    old = [feature("Workload detection", plans=["A", "B"], clouds=["Commercial clouds", "Azure Government"])]
    same = [feature("Workload detection", plans=["B", "A"], clouds=["Azure Government", "Commercial clouds"])]
    assert run({"features": old}, {"features": same}).empty
    changed = [
        feature(
            "Workload detection",
            plans=["A"],
            clouds=["Commercial clouds", "Azure Government", "Azure operated by 21Vianet"],
            enablement="Requires Defender sensor",
            description="New words",
        )
    ]
    changes = run({"features": old}, {"features": changed})
    by_field = {r["field"]: r for _, r in changes.iterrows()}
    assert set(by_field) == {"plans", "clouds", "enablement", "description"}
    assert set(changes["kind"]) == {"attribute_changed"}
    assert by_field["plans"]["severity"] == "high"  # a plan lost
    assert by_field["clouds"]["severity"] == "medium"  # a cloud gained
    assert by_field["description"]["severity"] == "low"
    assert json.loads(by_field["plans"]["old"]) == ["A", "B"]


def test_extra_columns_compare_only_under_the_same_header() -> None:
    old = [feature("F", extra=json.dumps({"Agent": "No"}))]
    renamed = [feature("F", extra=json.dumps({"Sensor": "Yes"}))]
    assert run({"features": old}, {"features": renamed}).empty
    changed = [feature("F", extra=json.dumps({"Agent": "Yes"}))]
    changes = run({"features": old}, {"features": changed})
    assert list(changes["field"]) == ["Agent"] and list(changes["kind"]) == ["attribute_changed"]


def test_footnote_change_is_attached_to_every_feature_citing_it() -> None:
    note = "National clouds are automatically enabled."
    old = [feature(n, footnotes=[note]) for n in ("Container registry VA", "Runtime container VA", "Other")]
    new = [
        feature(n, footnotes=[note + " And cannot be disabled."])
        for n in ("Container registry VA", "Runtime container VA")
    ]
    new.append(feature("Other", footnotes=[note]))
    changes = run({"features": old}, {"features": new})
    assert list(changes["kind"]) == ["footnote_changed"] * 2
    assert sorted(changes["feature"]) == ["Container registry VA", "Runtime container VA"]
    assert set(changes["old"]) == {note}


# -- the record ------------------------------------------------------------------------------


def test_changes_conform_to_the_schema_and_round_trip(tmp_path: Path) -> None:
    new = [dict(r, state="GA") for r in MALWARE]
    changes = run({"feature_support": MALWARE, "notes": []}, {"feature_support": new, "notes": [note("N")]})
    assert list(changes.columns) == CHANGES.names
    for col in CHANGES.columns:
        if not col.nullable:
            assert changes[col.name].notna().all(), col.name
    assert set(changes["severity"]) <= {"high", "medium", "low"}
    write_dataset(changes, tmp_path, "changes")
    back = read_dataset(tmp_path, "changes")
    assert sorted(back["change_id"]) == sorted(changes["change_id"])


def test_identical_revisions_and_missing_datasets_give_nothing() -> None:
    everything = {
        "feature_support": MALWARE,
        "features": [feature("F")],
        "notes": [note("N")],
        "support_items": [item("X")],
    }
    assert run(everything, everything).empty
    # a dataset one side lacks (an extraction from before normalisation) is not "everything removed"
    assert run(everything, {"notes": [note("N")]}).empty


def test_meta_falls_back_to_the_page_row() -> None:
    page = frame(
        "page",
        [{"sha256": "f" * 64, "ms_date": "2025-03-30", "git_commit_id": "abc", "fetched_at": "2025-03-30T09:00:00Z"}],
    )
    old = {"feature_support": frame("feature_support", MALWARE), "page": page}
    new = {"feature_support": frame("feature_support", [dict(r, state="GA") for r in MALWARE]), "page": page}
    changes = diff(old, new)
    assert set(changes["new_revision"]) == {"f" * 16} and set(changes["detected_at"]) == {"2025-03-30T09:00:00Z"}


def test_raw_copies_of_mapped_columns_in_extra_are_not_reported_twice() -> None:
    old_fs = [support("F", "AKS", "Any", "Preview")]
    new_fs = [support("F", "AKS", "Any", "GA")]
    old_f = [feature("F", extra=json.dumps({"Release state": "Preview", "Pricing tier": "Free (preview)"}))]
    new_f = [feature("F", extra=json.dumps({"Release state": "GA", "Pricing tier": "Free"}))]
    changes = run({"feature_support": old_fs, "features": old_f}, {"feature_support": new_fs, "features": new_f})
    assert list(changes["kind"]) == ["promoted"]
