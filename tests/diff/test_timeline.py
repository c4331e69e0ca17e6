"""Since when? state_since/first_seen and the timeline dataset, on hand-made histories and the page's real one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from pipeline import publish as publishing
from pipeline._io import conform, records
from pipeline.diff import timeline
from pipeline.schema import DATASETS
from tests.corpus import CORPUS, SKIP_REASON
from tests.timeline_support import baseline, corpus_history, record

FS = DATASETS["feature_support"]
REVISION = {"fetched_at": "2025-03-30T10:00:00Z", "ms_date": "2025-03-30", "git_commit_id": "c3"}
START = baseline("2024-01-01T00:00:00Z", "1111111111111111", "2023-12-20", "c1")


def _row(feature: str, state: str | None, platform: str = "Linux", resource: str = "AKS") -> dict[str, Any]:
    return {
        "environment": "Azure",
        "section": "Features",
        "feature": feature,
        "resource": resource,
        "platform": platform,
        "state": state,
        "note": None,
        "feature_key": f"Azure|{feature.lower()}",
    }


def _at(when: str, ms_date: str, commit: str, **values: Any) -> dict[str, Any]:
    return record(
        environment="Azure",
        detected_at=when,
        new_ms_date=ms_date,
        new_git_commit_id=commit,
        new_revision=commit,
        **values,
    )


PROMOTED = _at("2024-06-01T08:00:00Z", "2024-05-30", "c2", kind="promoted", feature="Drift", resource="AKS",
               platform="Linux", old="Preview", new="GA")  # fmt: skip
ADDED = _at("2024-03-01T08:00:00Z", "2024-02-28", "c15", kind="added", feature="Scan", resource="AKS",
            platform="Linux", new="Preview")  # fmt: skip


def test_a_promotion_sets_state_since_and_the_state_before_held_since_the_baseline() -> None:
    current = [_row("Drift", "GA"), _row("Other", "GA")]
    out = {r["feature"]: r for r in timeline.since([START, PROMOTED], current, REVISION)}
    assert out["Drift"]["state_since"] == "2024-06-01T08:00:00Z"
    assert out["Drift"]["state_since_ms_date"] == "2024-05-30"
    assert out["Drift"]["state_since_git_commit_id"] == "c2"
    assert out["Drift"]["first_seen"] == "2024-01-01T00:00:00Z"  # on the page when the history began
    assert out["Other"]["state_since"] == out["Other"]["first_seen"] == "2024-01-01T00:00:00Z"
    intervals = [r for r in timeline.timeline([START, PROMOTED], current, REVISION) if r["feature"] == "Drift"]
    assert [(r["state"], r["valid_from"], r["valid_to"], r["current"]) for r in intervals] == [
        ("Preview", "2024-01-01T00:00:00Z", "2024-06-01T08:00:00Z", False),
        ("GA", "2024-06-01T08:00:00Z", None, True),
    ]


def test_an_added_row_is_first_seen_when_added() -> None:
    later = _at("2024-09-01T08:00:00Z", "2024-08-30", "c4", kind="promoted", feature="Scan", resource="AKS",
                platform="Linux", old="Preview", new="GA")  # fmt: skip
    [out] = timeline.since([START, ADDED, later], [_row("Scan", "GA")], REVISION)
    assert (out["first_seen"], out["first_seen_ms_date"]) == ("2024-03-01T08:00:00Z", "2024-02-28")
    assert out["state_since"] == "2024-09-01T08:00:00Z"


def test_a_removed_row_keeps_its_closed_interval() -> None:
    removed = _at("2024-07-01T08:00:00Z", "2024-06-30", "c5", kind="removed", feature="Scan", resource="AKS",
                  platform="Linux", old="Preview")  # fmt: skip
    rows = timeline.timeline([START, ADDED, removed], [], REVISION)
    assert [(r["state"], r["valid_from"], r["valid_to"], r["current"]) for r in rows] == [
        ("Preview", "2024-03-01T08:00:00Z", "2024-07-01T08:00:00Z", False)
    ]
    assert rows[0]["feature_key"] == "Azure|scan"


def test_a_rename_carries_the_history_to_the_new_name() -> None:
    rename = _at("2024-08-01T08:00:00Z", "2024-07-30", "c6", kind="attribute_changed", dataset="features",
                 field="feature", feature="Drift detection", old="Drift", new="Drift detection")  # fmt: skip
    [out] = timeline.since([START, PROMOTED, rename], [_row("Drift detection", "GA")], REVISION)
    assert out["state_since"] == "2024-06-01T08:00:00Z"


def test_a_release_state_column_split_by_platform_continues_the_any_row() -> None:
    promoted_any = {**PROMOTED, "platform": "Any"}
    [out] = timeline.since([START, promoted_any], [_row("Drift", "GA", platform="Linux")], REVISION)
    assert out["state_since"] == "2024-06-01T08:00:00Z"


def test_without_a_baseline_record_the_start_is_unknown_not_invented() -> None:
    first = {**PROMOTED, "old_ms_date": "2024-05-01", "old_git_commit_id": "c0"}
    [out] = timeline.since([first], [_row("Drift", "GA"), _row("Other", "GA")], REVISION)[1:]
    assert out["state_since"] is None and out["first_seen"] is None  # its time is not in the history
    assert (out["state_since_ms_date"], out["state_since_git_commit_id"]) == ("2024-05-01", "c0")
    [only] = timeline.since([], [_row("Other", "GA")], REVISION)  # no history: since the published revision
    assert only["state_since"] == REVISION["fetched_at"]


def test_a_state_the_history_does_not_lead_to_starts_at_an_unknown_time() -> None:
    [out] = timeline.since([START, PROMOTED], [_row("Drift", "Not available")], REVISION)
    assert out["state_since"] is None and out["first_seen"] == "2024-01-01T00:00:00Z"


# -- the page's real history (../shared/corpus) -------------------------------------------------------


def _key(r: dict[str, Any]) -> tuple[str, str, str, str]:
    return (r["environment"], r["feature_key"], r["resource"], r["platform"])


@pytest.fixture(scope="module")
def corpus() -> dict[str, Any]:
    if not (CORPUS / "html").is_dir():
        pytest.skip(SKIP_REASON)
    replay = corpus_history()
    last = replay["frames"][replay["stems"][-1]]
    page = last["page"].iloc[0]
    revision = {k: page[k] for k in ("fetched_at", "ms_date", "git_commit_id")}
    history = records(conform(replay["history"], DATASETS["changes"]), DATASETS["changes"])
    current = records(conform(last["feature_support"], FS), FS)
    return {**replay, "revision": revision, "records": history, "since": timeline.since(history, current, revision)}


def test_corpus_state_since_matches_the_revisions_where_the_state_changed(corpus: dict[str, Any]) -> None:
    """An independent walk back through every revision's feature_support: where the same key had
    another state in the revision before, state_since is exactly the revision after; where the key
    itself changed (a split, a renamed resource), the history knows more, so never later."""
    stems, frames = corpus["stems"], corpus["frames"]
    states = [{_key(r): r["state"] for r in records(conform(frames[s]["feature_support"], FS), FS)} for s in stems]
    exact = 0
    for row in corpus["since"]:
        i = len(stems) - 1
        while i > 0 and states[i - 1].get(_key(row), "missing") == row["state"]:
            i -= 1
        began = str(frames[stems[i]]["page"].iloc[0]["fetched_at"])
        if i > 0 and _key(row) in states[i - 1]:
            assert row["state_since"] == began, row
            exact += 1
        else:
            assert row["state_since"] is not None and row["state_since"] <= began, row
    assert exact >= 50  # 69 rows of the final revision changed state inside the history


@pytest.mark.parametrize(
    ("environment", "feature", "resource", "platform", "since", "commit"),
    [
        # Preview -> GA in commit 9659558 (2024-04-18), ms.date still 2023-12-14
        ("AWS", "Auto provisioning of Defender sensor", "EKS", "Linux", "2024-04-18T12:03:14Z", "96595589ff29"),
        # Preview -> GA in commit b804543 (2024-04-19)
        ("Azure", "Control plane hardening", "AKS", "Windows", "2024-04-19T21:20:41Z", "b804543386d4"),
    ],
)
def test_corpus_known_promotions_carry_their_date(
    corpus: dict[str, Any], environment: str, feature: str, resource: str, platform: str, since: str, commit: str
) -> None:
    [row] = [
        r
        for r in corpus["since"]
        if (r["environment"], r["feature"], r["resource"], r["platform"]) == (environment, feature, resource, platform)
    ]
    assert row["state"] == "GA"
    assert row["state_since"] == since
    assert row["state_since_git_commit_id"].startswith(commit)
    assert row["state_since_ms_date"] == "2023-12-14"  # ms.date is not when it happened: why detection time is kept
    assert row["first_seen"] == "2022-03-08T11:10:17Z"


@pytest.fixture(scope="module")
def corpus_site(corpus: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Path:
    last = corpus["frames"][corpus["stems"][-1]]
    out = tmp_path_factory.mktemp("corpus-site") / "output"
    sha = str(last["page"]["sha256"].iloc[0])
    publishing.publish(out, last, corpus["history"], {"id": sha[:16]})
    return out


def test_corpus_timeline_answers_an_as_of_query(corpus: dict[str, Any], corpus_site: Path) -> None:
    duckdb = pytest.importorskip("duckdb")
    path = corpus_site / "latest" / "timeline.parquet"
    as_of = duckdb.sql(
        f"""SELECT environment, feature, resource, platform, state FROM '{path}'
            WHERE valid_from <= TIMESTAMPTZ '2024-04-18 13:00:00+00'
              AND (valid_to IS NULL OR valid_to > TIMESTAMPTZ '2024-04-18 13:00:00+00')"""
    ).df()
    # the independent answer: the revision in force at that time
    stems, frames = corpus["stems"], corpus["frames"]
    times = [str(frames[s]["page"].iloc[0]["fetched_at"]) for s in stems]
    in_force = frames[stems[max(i for i, t in enumerate(times) if t <= "2024-04-18T13:00:00Z")]]["feature_support"]
    ga_aks = as_of[(as_of.environment == "AWS") & (as_of.state == "GA")]
    expected = in_force[(in_force.environment == "AWS") & (in_force.state == "GA")]
    assert len(ga_aks) > 0
    assert set(zip(ga_aks.feature, ga_aks.resource, ga_aks.platform)) == set(
        zip(expected.feature, expected.resource, expected.platform)
    )


def test_corpus_publication_with_the_full_history_is_frictionless_valid(corpus_site: Path) -> None:
    frictionless = pytest.importorskip("frictionless", reason="frictionless is a dev extra")
    report = frictionless.validate(corpus_site / "datapackage.json")
    assert report.valid, [(t.name, e.type, e.note) for t in report.tasks for e in t.errors][:10]
    support = pd.read_parquet(corpus_site / "latest" / "feature_support.parquet")
    assert str(support["state_since"].dtype) == "datetime64[us, UTC]"
    assert support["first_seen"].min() == pd.Timestamp("2022-03-08T11:10:17Z")
