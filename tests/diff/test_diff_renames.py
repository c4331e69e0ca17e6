"""diff() on hand-made frames: renamed features, rows that gain a resource, broken footnote links,
and prepared (cached) revisions."""

from __future__ import annotations

from pipeline.diff import diff
from tests.diff_support import MALWARE, NEW_META, OLD_META, feature, frame, item, run, support

# -- renames, rows without resources, re-scoped lists, broken footnote links ------------------


def test_a_renamed_feature_is_one_low_change_not_a_removal() -> None:
    old = [
        support("Discovery of uncovered/unprotected clusters", "EKS", p, s, environment="AWS")
        for p, s in (("Linux", "Preview"), ("Windows", "Not available"))
    ]
    new = [
        dict(r, feature="Discovery of unprotected clusters", feature_key="AWS|discovery of unprotected clusters")
        for r in old
    ]
    changes = run({"feature_support": old}, {"feature_support": new})
    assert list(changes["kind"]) == ["attribute_changed"]
    row = changes.iloc[0]
    assert (row["field"], row["old"], row["new"], row["severity"]) == (
        "feature",
        "Discovery of uncovered/unprotected clusters",
        "Discovery of unprotected clusters",
        "low",
    )


def test_a_rename_with_a_state_change_pairs_only_when_the_names_are_nearly_the_same() -> None:
    old = [support("Agentless/agent-based runtime scan(powered by Qualys)] OS packages", "AKS", "Linux", "Preview")]
    typo = [
        dict(
            old[0],
            feature="Agentless/agent-based runtime scan(powered by Qualys) OS packages",
            state="GA",
            feature_key="Azure|typo fixed",
        )
    ]
    assert sorted(run({"feature_support": old}, {"feature_support": typo})["kind"]) == ["attribute_changed", "promoted"]
    # different words and different support: a removal and an addition, never guessed to be a rename
    other = [support("Agentless K8s node scanning", "AKS", "Linux", "GA")]
    assert sorted(
        run(
            {"feature_support": [support("Agentless machine scanning", "AKS", "Linux", "Preview")]},
            {"feature_support": other},
        )["kind"]
    ) == ["added", "removed"]


def test_a_feature_marked_deprecated_is_high() -> None:
    old = [support("Agentless registry scan (powered by Qualys)", "ACR", "Linux", "GA")]
    new = [
        dict(old[0], feature="Deprecated: Agentless registry scan (powered by Qualys)", feature_key="Azure|deprecated")
    ]
    changes = run({"feature_support": old}, {"feature_support": new})
    assert list(changes["severity"]) == ["high"] and "retiring" in changes.iloc[0]["summary"]


def test_renamed_features_still_compare_their_attributes() -> None:
    old_fs = [support("Control plane recommendations", "GKE", "Linux", "GA", environment="GCP")]
    new_fs = [dict(old_fs[0], feature="Control plane hardening", feature_key="GCP|control plane hardening")]
    old_f = [feature("Control plane recommendations", environment="GCP", plans=["Free"])]
    new_f = [feature("Control plane hardening", environment="GCP", plans=["Defender CSPM"])]
    changes = run({"feature_support": old_fs, "features": old_f}, {"feature_support": new_fs, "features": new_f})
    assert sorted(changes["field"]) == ["feature", "plans"]


def test_a_feature_that_now_names_its_resource_is_compared_by_state() -> None:
    old = [
        support("Registry scan", "", "Linux", "Preview", environment="AWS"),
        support("Registry scan", "", "Windows", "Preview", environment="AWS"),
    ]
    new = [
        support("Registry scan", "ECR", "Linux", "Preview", environment="AWS"),
        support("Registry scan", "ECR", "Windows", "Not available", environment="AWS"),
    ]
    changes = run({"feature_support": old}, {"feature_support": new})
    assert list(changes["kind"]) == ["demoted"] and changes.iloc[0]["resource"] == "ECR"


def test_a_fixed_footnote_link_is_no_change() -> None:
    old = [feature("F", footnotes=["[unresolved footnote 2]", "Tested on Azure."])]
    new = [feature("F", footnotes=["Any CNCF cluster should be supported.", "Tested on Azure."])]
    assert run({"features": old}, {"features": new}).empty
    items_old = [item("AKS Engine", footnotes=["[unresolved footnote 2]"])]
    items_new = [item("AKS Engine", footnotes=["Any CNCF cluster should be supported."])]
    assert run({"support_items": items_old}, {"support_items": items_new}).empty


def test_prepared_frames_give_the_same_changes() -> None:
    from pipeline.diff import prepare

    old = prepare({"feature_support": frame("feature_support", MALWARE)})
    new = prepare({"feature_support": frame("feature_support", [dict(r, state="GA") for r in MALWARE])})
    first = diff(old, new, OLD_META, NEW_META)
    again = diff(old, new, OLD_META, NEW_META)
    back = diff(new, old, NEW_META, OLD_META)
    assert list(first["change_id"]) == list(again["change_id"]) and len(first) == 3
    assert sorted(back["kind"]) == ["demoted"] * 3
