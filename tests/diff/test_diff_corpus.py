"""Replay the page's real history: every consecutive pair of ../shared/corpus revisions, built once
(extract + normalise) and diffed, checked against the truth tables.

(1) revisions whose truth tables, footnotes and alerts are identical yield no change in anything
    derived from tables and alerts (lists and paragraphs outside tables are not in the truth and
    may really change);
(2) every release-state change and every feature appearing or vanishing that an independent
    reading of the truth tables finds is reported as a typed change;
(3) hand-checked real events from the history (golden cases, named below).
"""

from __future__ import annotations

import itertools
import json
import re
from collections import Counter, defaultdict
from functools import cache
from typing import Any

import pandas as pd
import pytest

from pipeline.diff import KINDS, diff, prepare
from pipeline.fetch import Fetched
from pipeline.schema import CHANGES
from pipeline.steps import build
from tests.corpus import html_bytes, manifest, needs_corpus, truth

pytestmark = needs_corpus

STATE_KINDS = {"promoted", "demoted", "state_changed", "added", "removed"}


@cache
def replay() -> dict[str, Any]:
    """Every revision built once, in commit order, and every consecutive pair diffed."""
    order = [(r["file"].removesuffix(".md"), r["committed_at_utc"]) for r in manifest()]
    frames = {}
    for stem, committed in order:
        body = html_bytes(stem)
        fetched = Fetched(f"{stem}.html", body, None, committed, None, None, None, "git")
        frames[stem] = prepare(build(body, fetched).frames)
    stems = [s for s, _ in order]
    pairs = list(itertools.pairwise(stems))
    return {
        "stems": stems,
        "frames": frames,
        "pairs": pairs,
        "changes": {p: diff(frames[p[0]], frames[p[1]]) for p in pairs},
    }


# -- an independent reading of the truth tables ---------------------------------------

_ENVIRONMENTS = (
    (re.compile(r"external\s+(container\s+)?registr", re.I), "External registries"),
    (re.compile(r"\barc\b|on-?prem", re.I), "Arc-enabled Kubernetes"),
    (re.compile(r"\b(aws|eks)\b", re.I), "AWS"),
    (re.compile(r"\b(gcp|gke)\b", re.I), "GCP"),
    (re.compile(r"\b(azure|aks)\b", re.I), "Azure"),
)


def _environment(table: dict) -> str | None:
    for label in (table["tab"], table["subheading"], table["h2"]):
        for pattern, env in _ENVIRONMENTS:
            if label and pattern.search(label):
                return env
    return None


def _name(text: str) -> str:
    return " ".join(text.split()).casefold().rstrip(".:")


def _state(cell: str) -> str | None:
    c = cell.strip().lower()
    if not c:
        return None
    if c.startswith(("ga", "general availability")):
        return "GA"
    if "preview" in c:
        return "Preview"
    if c in {"-", "—", "x", "na", "n/a", "not supported", "not available"}:
        return "Not available"
    return "Unknown"


@cache
def truth_states(stem: str) -> dict[tuple[str, str, str], frozenset[str | None]]:
    """(environment, feature, platform) -> the release states the truth tables show for it."""
    found: dict[tuple[str, str, str], set[str | None]] = defaultdict(set)
    for table in truth(stem)["tables"]:
        headers = [h.strip().lower() for h in table["headers"]]
        if not table.get("learn_renders_as_table", True) or not ({"feature", "domain - feature"} & set(headers)):
            continue
        env = _environment(table)
        if env is None:
            continue
        for row in table["rows"]:
            cells = dict(zip(headers, row))
            feature = cells.get("feature")
            if feature is None:
                feature = cells["domain - feature"].split(" - ", 1)[-1]
            for header, cell in cells.items():
                if header.endswith("release state"):
                    # a single "Release state" column is the Linux state (as the diff reads it)
                    platform = "Windows" if header.startswith("windows") else "Linux"
                    found[(env, _name(feature), platform)].add(_state(cell))
    return {k: frozenset(v) for k, v in found.items()}


def _truth_key(stem: str) -> str:
    t = truth(stem)
    tables = [
        (x["h2"], x["tab"], x["subheading"], x["headers"], x["rows"], x["row_footnotes"], x["header_footnotes"])
        for x in t["tables"]
        if x.get("learn_renders_as_table", True)
    ]
    return json.dumps([tables, t["footnotes"], t["alerts"]], sort_keys=True)


def _identical_pairs() -> list[tuple[str, str]]:
    return [p for p in replay()["pairs"] if _truth_key(p[0]) == _truth_key(p[1])]


# -- (1) identical truth, no change ----------------------------------------------------


def _from_tables(frames: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Only what derives from tables and alerts: support lists outside tables, the OS lines
    read from them and paragraphs are left out."""
    items = frames["support_items"]
    tabled = items[items["table_index"].notna()]
    lines = set(zip(tabled["environment"].fillna(""), tabled["item"]))
    os_rows = frames["os_versions"]
    keep = [(env or "", raw) in lines for env, raw in zip(os_rows["environment"], os_rows["raw"])]
    return {**frames, "support_items": tabled, "os_versions": os_rows[keep]}


def test_identical_truth_means_no_change_in_tables_and_alerts() -> None:
    pairs = _identical_pairs()
    assert pairs, "no consecutive revisions with identical truth tables"
    frames = replay()["frames"]
    noisy = {}
    for old, new in pairs:
        changes = diff(_from_tables(frames[old]), _from_tables(frames[new]))
        if len(changes):
            noisy[f"{old} -> {new}"] = list(changes["summary"])[:3]
    assert not noisy, json.dumps(noisy, indent=1)


def test_identical_truth_changes_only_outside_tables() -> None:
    """The full diff of those pairs only reports lists and paragraphs (support_items/os_versions)."""
    outside = Counter()
    for pair in _identical_pairs():
        changes = replay()["changes"][pair]
        outside.update(changes["dataset"])
    assert set(outside) <= {"support_items", "os_versions"}, outside


# -- (2) every state change the truth shows is typed --------------------------------------------


def _matches(changes: pd.DataFrame, env: str, feature: str, platform: str | None, kinds: set[str]) -> bool:
    for r in changes.itertuples(index=False):
        if r.kind not in kinds or r.environment != env:
            continue
        if (
            r.dataset == "feature_support"
            and _name(r.feature) == feature
            and (platform is None or r.platform in (platform, "Any"))
        ):
            return True
        # a renamed feature is reported once, as its rename
        if r.dataset == "features" and r.field == "feature" and feature in (_name(r.old), _name(r.new)):
            return True
    return False


def test_every_truth_state_change_is_typed() -> None:
    missing, checked = [], 0
    for old, new in replay()["pairs"]:
        before, after = truth_states(old), truth_states(new)
        changes = replay()["changes"][(old, new)]
        for key in sorted(before.keys() & after.keys()):
            if before[key] != after[key]:
                checked += 1
                if not _matches(changes, *key, STATE_KINDS):
                    missing.append(
                        f"{old} -> {new}: {key} {sorted(map(str, before[key]))} -> {sorted(map(str, after[key]))}"
                    )
    assert checked > 0
    assert not missing, "\n".join(missing)


def test_every_truth_feature_added_or_removed_is_typed() -> None:
    missing, checked = [], 0
    for old, new in replay()["pairs"]:
        before = {(e, f) for e, f, _ in truth_states(old)}
        after = {(e, f) for e, f, _ in truth_states(new)}
        changes = replay()["changes"][(old, new)]
        for (env, feature), kind in [(k, "removed") for k in before - after] + [(k, "added") for k in after - before]:
            checked += 1
            if not _matches(changes, env, feature, None, {kind, "attribute_changed"}):
                missing.append(f"{old} -> {new}: {kind} {env} / {feature}")
    assert checked > 0
    assert not missing, "\n".join(missing)


# -- (3) golden cases: real events, checked by hand against the truth files -----------------------

GOLDEN = {
    # AWS security posture features left preview together in April 2024
    "aws-agentless-discovery-ga": (
        "2024-04-03_751d7bf",
        "2024-04-17_1e2be47",
        dict(
            kind="promoted",
            environment="AWS",
            feature="Agentless discovery for Kubernetes",
            resource="EKS",
            platform="Linux",
            old="Preview",
            new="GA",
        ),
    ),
    # the Windows column said "V", then "V (Preview)": Windows support of Registry scan went back to preview
    "azure-registry-scan-windows-preview": (
        "2022-03-09_7fccbff",
        "2022-03-10_c3626e2",
        dict(
            kind="demoted",
            environment="Azure",
            feature="Registry scan",
            resource="ACR",
            platform="Windows",
            old="GA",
            new="Preview",
        ),
    ),
    # node malware detection went from GA back to Preview
    "azure-node-malware-preview": (
        "2024-11-25_d10bcde",
        "2024-11-25_84437d4",
        dict(
            kind="demoted",
            environment="Azure",
            feature="Node",
            resource="AKS",
            platform="Linux",
            old="GA",
            new="Preview",
            severity="high",
        ),
    ),
    # ...while "Agentless machine scanning" (GA) gave way to "Agentless K8s node scanning" (Preview): not a rename
    "azure-agentless-machine-scanning-removed": (
        "2024-11-25_d10bcde",
        "2024-11-25_84437d4",
        dict(kind="removed", environment="Azure", feature="Agentless machine scanning", platform="Linux", old="GA"),
    ),
    # OCI images moved from the Unsupported to the Supported list of AWS registries
    "aws-oci-images-supported": (
        "2024-02-14_742a49b",
        "2024-02-14_f6cdfbb",
        dict(
            kind="moved",
            environment="AWS",
            subject="Images with Open Container Initiative (OCI) image format specification",
            old="Unsupported",
            new="Supported",
        ),
    ),
    # Alpine Linux 3.12-3.15 became 3.12-3.16 in the Azure registry OS packages list
    "azure-alpine-extended": (
        "2022-10-26_d9d4d56",
        "2022-11-09_443901c",
        dict(
            kind="extended",
            dataset="os_versions",
            environment="Azure",
            subject="Alpine Linux",
            old="3.12-3.15",
            new="3.12-3.16",
        ),
    ),
    # a rename, not a removal and an addition
    "aws-discovery-renamed": (
        "2022-03-10_499f0c6",
        "2022-03-14_19080c8",
        dict(
            kind="attribute_changed",
            field="feature",
            environment="AWS",
            old="Discovery of uncovered/unprotected clusters",
            new="Discovery of unprotected clusters",
            severity="low",
        ),
    ),
    # the Qualys registry scan was marked deprecated in its name
    "azure-qualys-deprecated": (
        "2024-01-03_3eada2e",
        "2024-01-10_079984e",
        dict(
            kind="attribute_changed",
            field="feature",
            environment="Azure",
            new="Deprecated: Agentless registry scan (powered by Qualys) Supported OS packages",
            severity="high",
        ),
    ),
    # AWS got the new MDVM-era feature rows in December 2023
    "aws-attack-path-added": (
        "2023-12-05_07372fc",
        "2023-12-13_303c299",
        dict(
            kind="added",
            environment="AWS",
            feature="Attack path analysis",
            resource="ECR",
            platform="Linux",
            new="Preview",
        ),
    ),
    # the Qualys retirement notice appeared as an IMPORTANT box
    "qualys-retirement-notice": (
        "2024-02-26_d2f97ca",
        "2024-03-06_e44c643",
        dict(kind="added", dataset="notes", field="text"),
    ),
}


@pytest.mark.parametrize("case", list(GOLDEN), ids=list(GOLDEN))
def test_golden_events(case: str) -> None:
    old, new, expected = GOLDEN[case]
    assert (old, new) in replay()["changes"], "the golden pair must be consecutive in the corpus"
    changes = replay()["changes"][(old, new)]
    hits = changes
    for col, value in expected.items():
        hits = hits[hits[col] == value]
    assert len(hits) >= 1, changes[["kind", "summary"]].to_string()
    row = hits.iloc[0]
    assert row["old_revision"] and row["new_revision"] and row["detected_at"]
    if case == "qualys-retirement-notice":
        assert "powered by Qualys is being retired" in row["new"]


# -- every record, every pair ---------------------------------------------------------------------


def test_every_change_is_a_well_formed_record() -> None:
    for pair, changes in replay()["changes"].items():
        assert list(changes.columns) == CHANGES.names
        assert changes["change_id"].is_unique, pair
        assert set(changes["kind"]) <= set(KINDS), pair
        assert set(changes["severity"]) <= {"high", "medium", "low"}, pair
        for col in CHANGES.columns:
            if not col.nullable:
                assert changes[col.name].notna().all(), (pair, col.name)
