"""pipeline.validate on frames: the sample passes, each crafted bad input fails naming its expectation,
one unit test per drift guard, the report's JSON and summary, the suites on disk match their generator."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pipeline.validate import ValidationReport, _derive, thresholds, validate
from pipeline.validate.suites import SUITES, SUITES_DIR, build_suites, suite_text
from tests.validate_support import CRAFTED, DRIFT_CRAFTED, frames_of, sample

Frames = dict[str, pd.DataFrame]


@pytest.fixture(scope="module")
def good() -> Frames:
    return frames_of(sample())


def copy(frames: Frames) -> Frames:
    return {name: frame.copy() for name, frame in frames.items()}


def test_sample_page_passes_every_suite(good: Frames) -> None:
    report = validate(good)
    assert report.success, report.summary_lines()
    assert report.failed == [] and report.flagged == []
    assert "drift" not in report.suites  # no previous snapshot
    assert set(report.suites) == set(SUITES) - {"drift"}
    with_previous = validate(good, previous=good)
    assert with_previous.success and with_previous.suites[-1] == "drift"


@pytest.mark.parametrize("case", [c for c, (_, name) in CRAFTED.items() if name])
def test_crafted_page_fails_naming_the_expectation(case: str, good: Frames) -> None:
    make, expected = CRAFTED[case]
    report = validate(frames_of(make(sample())))
    assert not report.success
    assert expected in report.failed, report.summary_lines()
    assert expected in report.reason()


@pytest.mark.parametrize("case", sorted(DRIFT_CRAFTED))
def test_crafted_page_fails_a_drift_guard_against_the_good_sample(case: str, good: Frames) -> None:
    make, expected = DRIFT_CRAFTED[case]
    bad = frames_of(make(sample()))
    report = validate(bad, previous=good)
    assert expected in report.failed, report.summary_lines()
    drift = next(r for r in report.results if r.name == expected)
    assert "environment 'Arc-enabled Kubernetes'" in str(drift.unexpected)


# -- one unit test per drift guard ------------------------------------------------------------------


def _drift_failures(frames: Frames, previous: Frames) -> list[str]:
    return [n for n in validate(frames, previous=previous).failed if n.startswith("drift.")]


def test_drift_guard_feature_support_row_drop(good: Frames) -> None:
    support = good["feature_support"]
    allowed = int(len(support) * thresholds.MAX_FEATURE_SUPPORT_DROP_SHARE)
    small = copy(good)
    small["feature_support"] = support.iloc[: len(support) - allowed].reset_index(drop=True)
    assert _drift_failures(small, good) == []
    big = copy(good)
    big["feature_support"] = support.iloc[: len(support) - allowed - 1].reset_index(drop=True)
    assert _drift_failures(big, good) == ["drift.expect_column_min_to_be_between(feature_support_kept_share)"]


def test_drift_guard_environment_vanishing(good: Frames) -> None:
    gone = copy(good)
    items = gone["support_items"]
    gone["support_items"] = items[items["environment"] != "Arc-enabled Kubernetes"].reset_index(drop=True)
    assert _drift_failures(gone, good) == ["drift.expect_column_values_to_be_null(vanished)"]
    assert _derive.vanished(gone, good) == ["environment 'Arc-enabled Kubernetes'"]
    # the other way round an environment appears: no drift
    assert _drift_failures(good, gone) == []


def test_drift_guard_section_vanishing_but_not_renamed(good: Frames) -> None:
    section = "Runtime protection features"
    renamed = copy(good)
    for name in ("cells", "tables", "features", "feature_support"):
        renamed[name] = renamed[name].replace({"section": {section: "Runtime threat protection features"}})
    assert _derive.vanished(renamed, good) == []
    removed = copy(good)
    cells = removed["cells"]
    removed["cells"] = cells[cells["section"] != section].reset_index(drop=True)
    assert _derive.vanished(removed, good) == [f"section {section!r}"]
    assert "drift.expect_column_values_to_be_null(vanished)" in _drift_failures(removed, good)


def test_an_information_section_may_go(good: Frames) -> None:
    section = "Registries and images support for vulnerability assessment"  # Aspect/Details only
    assert section in set(good["cells"]["section"])
    removed = copy(good)
    for name in ("cells", "tables", "support_items"):
        frame = removed[name]
        removed[name] = frame[frame["section"] != section].reset_index(drop=True)
    assert _derive.vanished(removed, good) == []


def test_drift_guard_many_unknown_states_at_once(good: Frames) -> None:
    def with_unknown(n: int) -> Frames:
        frames = copy(good)
        support = frames["feature_support"]
        support.loc[support.index[:n], "state"] = "Unknown"
        support.loc[support.index[:n], "note"] = "Generally released"
        return frames

    limit = thresholds.MAX_NEW_UNKNOWN_STATES
    assert limit < thresholds.MAX_UNKNOWN_STATES  # so the drift guard is what catches limit + 1
    assert _drift_failures(with_unknown(limit), good) == []
    assert _drift_failures(with_unknown(limit + 1), good) == [
        "drift.expect_column_max_to_be_between(new_unknown_states)"
    ]
    # already Unknown in the previous revision: not new
    assert _drift_failures(with_unknown(limit + 1), with_unknown(limit + 1)) == []


# -- rules on hand-made frames ----------------------------------------------------------------------


def test_a_few_unknown_states_pass_but_are_flagged(good: Frames) -> None:
    frames = copy(good)
    support = frames["feature_support"]
    support.loc[support.index[0], ["state", "note"]] = ["Unknown", "Generally released"]
    report = validate(frames)
    assert report.success
    assert report.flagged == ["revision.expect_column_values_to_be_null(unknown_state_list)"]
    assert "Generally released" in report.summary_lines()[1]


def test_missing_dataset_column_and_wrong_type_fail_the_schema_suite(good: Frames) -> None:
    frames = copy(good)
    del frames["os_versions"]
    frames["features"] = frames["features"].drop(columns=["linux_state"])
    frames["notes"]["kind"] = 7
    report = validate(frames)
    schema = next(r for r in report.results if r.name == "schema.expect_column_distinct_values_to_be_in_set(type)")
    expected = {"features.linux_state: missing", "notes.kind: int64"}
    expected |= {f"os_versions.{c}: missing" for c in good["os_versions"].columns}
    assert not schema.success and schema.unexpected_count == len(expected)
    assert sorted(schema.unexpected) == sorted(expected)
    assert "os_versions" not in report.suites


def test_null_in_a_non_nullable_column_fails(good: Frames) -> None:
    frames = copy(good)
    frames["features"].loc[frames["features"].index[0], "feature"] = None
    result = next(
        r for r in validate(frames).results if r.name == "schema.expect_column_distinct_values_to_contain_set(no_nulls)"
    )
    assert not result.success and result.unexpected == ["features.feature"]


def test_empty_text_in_a_non_nullable_column_fails_as_a_null(good: Frames) -> None:
    # CSV readers (frictionless among them) take an empty field for null: the column would break its contract
    frames = copy(good)
    frames["features"].loc[frames["features"].index[0], "feature"] = ""
    result = next(
        r for r in validate(frames).results if r.name == "schema.expect_column_distinct_values_to_contain_set(no_nulls)"
    )
    assert not result.success and result.unexpected == ["features.feature"]


_OBJECT_COLUMNS = {
    "strings": ["a", None, "b"],
    "all null": [None, float("nan")],
    "string lists": [["a"], [], None, ("b", "c")],
    "a list holding a number": [["a"], ["b", 1]],
    "lists and strings": [["a"], "b"],
    "numpy arrays (Parquet)": [np.array(["a"], dtype=object), np.array([], dtype=object)],
    "ints and a NaN": [1, 2, float("nan")],
    "bools": [True, None, False],
    "a pandas NA": ["a", pd.NA],
}


@pytest.mark.parametrize("values", list(_OBJECT_COLUMNS.values()), ids=list(_OBJECT_COLUMNS))
def test_schema_fast_path_agrees_with_observed_type(values: list) -> None:
    series = pd.Series(values, dtype=object)
    assert _derive._column_type(series) == (_derive.observed_type(series), bool(series.hasnans))


def test_version_range_out_of_numeric_order_fails(good: Frames) -> None:
    frames = copy(good)
    os_versions = frames["os_versions"]
    i = os_versions.index[os_versions["version_max"].notna()][0]
    os_versions.loc[i, ["version_min", "version_max"]] = ["3.12", "3.9"]
    assert "version_ranges.expect_column_pair_values_a_to_be_greater_than_b(max_key,min_key)" in validate(frames).failed
    os_versions.loc[i, ["version_min", "version_max"]] = ["3.9", "3.12"]  # numeric, not string, order
    assert validate(frames).success


def test_dangling_footnote_reference_is_flagged_then_fails(good: Frames) -> None:
    frames = copy(good)
    cells = frames["cells"]
    first = cells.index[cells["footnotes"].map(len) == 0][0]
    cells.at[first, "footnotes"] = ["9"]
    one = validate(frames)
    assert one.success and one.flagged == ["revision.expect_column_values_to_be_null(unresolved_footnote_ref_list)"]
    second = cells.index[cells["footnotes"].map(len) == 0][0]
    cells.at[second, "footnotes"] = ["8"]
    assert "revision.expect_column_max_to_be_between(unresolved_footnote_refs)" in validate(frames).failed


def test_unmapped_environment_and_canonical_url_fail(good: Frames) -> None:
    frames = copy(good)
    frames["features"].loc[frames["features"].index[0], "environment"] = "Supported features by environment"
    frames["page"]["canonical_url"] = "https://learn.microsoft.com/en-us/azure/defender-for-cloud/overview"
    failed = validate(frames).failed
    assert "features.expect_column_distinct_values_to_be_in_set(environment)" in failed
    assert "page.expect_column_values_to_match_regex(canonical_url)" in failed


# -- report -----------------------------------------------------------------------------------------


def test_report_json_is_deterministic_and_complete(good: Frames) -> None:
    bad = frames_of(CRAFTED["empty tbody"][0](sample()))
    first, second = validate(bad).to_dict(), validate(bad).to_dict()
    assert json.dumps(first, sort_keys=True) == json.dumps(second, sort_keys=True)
    assert first["success"] is False and first["failed"] == ["tables.expect_column_min_to_be_between(n_rows)"]
    result = next(r for r in first["results"] if r["name"] == first["failed"][0])
    assert result == {
        "suite": "tables",
        "expectation": "expect_column_min_to_be_between",
        "column": "n_rows",
        "name": "tables.expect_column_min_to_be_between(n_rows)",
        "success": False,
        "severity": "critical",
        "rule": "no table has an empty body",
        "observed": 0,
        "unexpected": [],
        "unexpected_count": None,
    }
    json.dumps(first)  # plain JSON: no numpy, no NaN
    assert "NaN" not in json.dumps(first)


def test_results_follow_the_suite_files_order_and_names_are_unique(good: Frames) -> None:
    report = validate(good, previous=good)
    names = [r.name for r in report.results]
    assert len(names) == len(set(names))
    suites = build_suites()
    assert [(r.suite, r.expectation) for r in report.results] == [
        (s, e["type"]) for s in report.suites for e in suites[s]["expectations"]
    ]


def test_summary_lines_are_short_and_say_what_failed(good: Frames) -> None:
    suites = {n: s for n, s in build_suites().items() if n != "drift"}
    assert validate(good).summary_lines() == [
        f"validation passed: {sum(len(s['expectations']) for s in suites.values())} expectations in "
        f"{len(suites)} suites (0 failed, 0 flagged; no previous snapshot: drift guards skipped)"
    ]
    lines = validate(frames_of(CRAFTED["another article's title"][0](sample()))).summary_lines()
    assert lines[0].startswith("validation FAILED:") and len(lines) == 2
    assert "page.expect_column_distinct_values_to_be_in_set(title)" in lines[1]
    assert "Defender for Servers support matrix" in lines[1]
    assert all(len(line) < 300 for line in lines)


def test_empty_report_reason() -> None:
    assert ValidationReport((), ()).reason() == "all expectations passed"


# -- suites on disk ---------------------------------------------------------------------------------


def test_committed_suites_match_their_generator() -> None:
    """Edit thresholds.py / suites.py, then `python -m pipeline.validate.suites`, and commit both."""
    for name, suite in build_suites().items():
        path = SUITES_DIR / f"{name}.json"
        assert path.read_text(encoding="utf-8") == suite_text(suite), f"{path} is stale"
    assert sorted(p.stem for p in SUITES_DIR.glob("*.json")) == sorted(SUITES)


def test_suites_have_no_generated_ids_and_every_rule_is_explained() -> None:
    for path in sorted(SUITES_DIR.glob("*.json")):
        suite = json.loads(path.read_text(encoding="utf-8"))
        assert "id" not in suite
        for expectation in suite["expectations"]:
            assert "id" not in expectation and expectation["meta"]["rule"]
            assert expectation["severity"] in ("critical", "warning")


def test_validation_runs_the_files_not_the_generator(tmp_path: Path, good: Frames) -> None:
    for name, suite in build_suites().items():
        if name == "page":
            suite["expectations"] = [e for e in suite["expectations"] if e["kwargs"].get("column") != "title"]
            suite["expectations"].append(
                {
                    "type": "expect_column_distinct_values_to_be_in_set",
                    "kwargs": {"column": "title", "value_set": ["x"]},
                }
            )
        (tmp_path / f"{name}.json").write_text(suite_text(suite), encoding="utf-8")
    assert validate(good, suites=tmp_path).failed == ["page.expect_column_distinct_values_to_be_in_set(title)"]


def test_version_strings_are_numbers_or_listed_codenames(good: Frames) -> None:
    frames = copy(good)
    os_versions = frames["os_versions"]
    i = os_versions.index[0]
    os_versions.at[i, "versions"] = ["bookworm"]
    assert validate(frames).success
    os_versions.at[i, "version_min"] = "bookworm"
    result = next(r for r in validate(frames).results if r.suite == "versions")
    assert not result.success and result.unexpected == ["min bookworm"]


def test_replacement_characters_in_cells_pass_but_are_flagged() -> None:
    page = sample()
    at = page.index("Binary drift detection")
    report = validate(frames_of(page[:at] + "\ufffd" + page[at:]))
    assert report.success
    assert report.flagged == ["cells.expect_column_values_to_not_match_regex(value)"]


# -- the results cache: keyed by the content a suite checks ----------------------------------------


def _gx_runs(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    from pipeline.validate._engine import _Engine

    runs: list[list[str]] = []
    real = _Engine._validate

    def counting(self: _Engine, frame: pd.DataFrame, names: list[str]) -> dict:
        runs.append(list(names))
        return real(self, frame, names)

    monkeypatch.setattr(_Engine, "_validate", counting)
    return runs


def test_the_same_content_in_a_new_frame_is_not_validated_again(good: Frames, monkeypatch: pytest.MonkeyPatch) -> None:
    validate(good)
    runs = _gx_runs(monkeypatch)
    again = validate(copy(good))
    assert runs == [] and again.success


@pytest.mark.parametrize(
    "edit",
    ["a value of a checked column", "the dtype of a checked column", "a column no suite reads"],
)
def test_a_checked_change_runs_great_expectations_again(
    edit: str, good: Frames, monkeypatch: pytest.MonkeyPatch
) -> None:
    validate(good)
    frames = copy(good)
    tables = frames["tables"]
    if edit == "a value of a checked column":
        tables.loc[tables.index[0], "n_rows"] = int(tables["n_rows"].max()) + 1
    elif edit == "the dtype of a checked column":
        frames["tables"] = tables.astype({"n_rows": "float64"})
    else:
        tables["unread"] = "x"
    runs = _gx_runs(monkeypatch)
    validate(frames)
    assert (["tables"] in runs) is (edit != "a column no suite reads")
