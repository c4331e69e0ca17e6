"""The expectation suites, written once from this module to ``expectations/<suite>.json`` and loaded from there.

Run ``python -m pipeline.validate.suites`` after changing a rule or a threshold and commit the JSON;
the files are what reviewers read and what validation runs. One suite per published dataset, plus
suites over small derived frames (see ``_derive``) for the cross-table rules: ``schema``,
``revision``, ``sections``, ``version_ranges`` and ``drift`` (only with a previous good snapshot).

Every expectation carries ``meta.rule`` (why it exists, in words) and a ``severity``: ``critical``
fails validation, ``warning`` only flags.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import vocabulary
from ..schema import DATASETS, PUBLISHED
from . import thresholds
from ._derive import storage_type

if TYPE_CHECKING:
    from ..pages import PageSpec


def _suites_dir() -> Path:
    """``expectations/`` at the repository's top level (a checkout or an editable install), else the copy
    the wheel ships as ``pipeline/expectations`` (see pyproject.toml)."""
    here = Path(__file__).resolve()
    repo = here.parents[2] / "expectations"
    return repo if repo.is_dir() else here.parents[1] / "expectations"


SUITES_DIR = _suites_dir()


def suites_dir(page: PageSpec | None = None) -> Path:
    """The folder of a page's suites (the default page's are the ones at the top of ``expectations/``)."""
    from ..pages import DEFAULT

    if page is None or page.slug == DEFAULT:
        return SUITES_DIR
    return SUITES_DIR / page.slug


DATASET_SUITES = PUBLISHED
DERIVED_SUITES = ("schema", "revision", "sections", "feature_tables", "versions", "version_ranges", "drift")
SUITES = DATASET_SUITES + DERIVED_SUITES
# the derived suites of a page without the richer datasets: its schema, and drift on its sections
GENERIC_DERIVED = ("schema", "matrix_drift")


def _spec(page: PageSpec | None) -> PageSpec:
    from ..pages import or_default

    return or_default(page)


def suite_names(page: PageSpec | None = None) -> tuple[str, ...]:
    """The suites a page runs, in order: one per dataset it publishes, then the derived ones (every
    derived suite for a page with the richer datasets, whose cross-table rules they check)."""
    spec = _spec(page)
    if spec.datasets:
        return SUITES
    return tuple(n for n in DATASET_SUITES if n in spec.all_datasets) + GENERIC_DERIVED


# -- vocabularies (the values normalise produces; see pipeline/normalise) -----------------------------
STATES = ["GA", "Preview", "Not available", "Unknown"]
ENVIRONMENTS = list(vocabulary.ENVIRONMENTS)
PLATFORMS = ["Linux", "Windows", "Any"]

# -- the page's identity (titles, canonical URL, row bounds) is its spec's: pipeline/pages/<slug>.toml ----
# one row per version string, "<role> <version>": range bounds are numbers, listed versions may be codenames
VERSION = r"^(?:(?:min|max|listed) [vV]?\d+(?:\.\d+)*|listed [a-z]+)$"
IDENTICAL_ROW = r"\|#\d+$"
# H2 sections (and tabs of a feature section) that must hold at least one feature table: the ones named
# for features or for an environment ("Runtime protection features", "AWS (EKS)", "On-premises, Arc-...").
FEATURE_SCOPE = r"(?i)\bfeatures\b|^(?:azure|aws|gcp)\b|arc-enabled|^on-prem"
# The core columns of a feature table, as the layouts of its history have them (see _derive.CORE_HEADERS):
# one "Release state" plus a "Windows support" column (2022), or a release state per platform (since).
FEATURE_TABLE_SHAPES = [
    "Feature | Supported resources | Release state | Windows support",
    "Feature | Supported resources | Linux release state | Windows release state",
]


def _e(type_: str, rule: str, *, severity: str = "critical", **kwargs: Any) -> dict[str, Any]:
    return {"type": type_, "kwargs": kwargs, "meta": {"rule": rule}, "severity": severity}


def _common(name: str, spec: PageSpec) -> list[dict[str, Any]]:
    """Row-count bounds and the unique key; columns and types are checked for all datasets by ``schema``."""
    dataset = DATASETS[name]
    low, high = spec.row_bounds[name]
    out = [
        _e(
            "expect_table_row_count_to_be_between",
            f"row count within the bounds seen in the page's history ({spec.bounds_basis})",
            min_value=low,
            max_value=high,
        ),
    ]
    if name in ("notes", "page"):
        # page has one row; notes has no subheading column, so a page repeating one NOTE under
        # several h3s of a section (2023-02-26) has duplicate keys: not enforced for notes
        return out
    key = list(dataset.key)
    if len(key) == 1:
        out.append(
            _e(
                "expect_column_proportion_of_unique_values_to_be_between",
                "the key is unique",
                column=key[0],
                min_value=1,
            )
        )
    else:
        out.append(
            _e(
                "expect_compound_columns_to_be_unique",
                "the key is unique (a duplicated row means the page or the parse repeated data)",
                column_list=key,
                ignore_row_if="never",
            )
        )
    return out


def _in_set(column: str, values: list[str], rule: str) -> dict[str, Any]:
    # the distinct-values form: one aggregate per column instead of a per-row map (a third of the
    # cost in GX), and it still reports the unexpected values
    return _e("expect_column_distinct_values_to_be_in_set", rule, column=column, value_set=values)


def _at_most(column: str, value: float, rule: str, *, severity: str = "critical") -> dict[str, Any]:
    return _e("expect_column_max_to_be_between", rule, severity=severity, column=column, max_value=value)


def _dataset_rules(name: str, spec: PageSpec) -> list[dict[str, Any]]:
    if name == "cells":
        return [
            _e(
                "expect_column_values_to_not_match_regex",
                "flag: no U+FFFD replacement character in a cell (bytes the page's encoding could not decode)",
                severity="warning",
                column="value",
                regex="\ufffd",
            )
        ]
    if name == "page":
        return [
            _in_set(
                "title",
                list(spec.accepted_titles),
                "the title is one this article has had: not another article, not an error page",
            ),
            _e(
                "expect_column_values_to_match_regex",
                "the canonical URL is this article's (current or earlier file name)",
                column="canonical_url",
                regex=spec.canonical_url_pattern,
            ),
        ]
    if name == "tables" and not spec.datasets:
        return [_e("expect_column_min_to_be_between", "no table has an empty body", column="n_rows", min_value=1)]
    if name == "tables":
        return [
            _e(
                "expect_column_distinct_values_to_contain_set",
                "the page has at least one feature table",
                column="kind",
                value_set=["feature"],
            ),
            _e("expect_column_min_to_be_between", "no table has an empty body", column="n_rows", min_value=1),
        ]
    if name == "features":
        return [
            _in_set("environment", ENVIRONMENTS, "every feature row maps to a known environment"),
            _e(
                "expect_column_distinct_values_to_contain_set",
                "every revision of the page describes Azure features",
                column="environment",
                value_set=["Azure"],
            ),
            _e(
                "expect_column_values_to_not_match_regex",
                "no two feature rows are identical (normalise numbers identical rows '|#n' to keep the key unique)",
                column="feature_key",
                regex=IDENTICAL_ROW,
            ),
        ]
    if name == "feature_support":
        return [
            _in_set("platform", PLATFORMS, "platforms are Linux, Windows or Any"),
            _in_set(
                "state", STATES, "release states (of features' Linux and Windows columns) are known states (or empty)"
            ),
        ]
    if name == "support_items":
        return [_in_set("environment", ENVIRONMENTS, "support items map to a known environment (or none)")]
    return []


def _derived_rules(name: str, spec: PageSpec) -> list[dict[str, Any]]:
    if name == "schema":
        published = [d for d in PUBLISHED if d in spec.all_datasets]
        declared = [f"{d}.{c.name}: {storage_type(c.type)}" for d in published for c in DATASETS[d].columns]
        not_null = [f"{d}.{c.name}" for d in published for c in DATASETS[d].columns if not c.nullable]
        not_null += ["page.title", "page.canonical_url"]  # nullable in general, required of this page
        return [
            _in_set("type", declared, "every dataset is present with exactly its declared columns and types"),
            _e(
                "expect_column_distinct_values_to_contain_set",
                "columns declared non-nullable (keys among them), the page's title and canonical URL have no nulls"
                " (nor empty text, which CSV readers take for null)",
                column="no_nulls",
                value_set=not_null,
            ),
        ]
    if name == "revision":
        return [
            _at_most(
                "unknown_states",
                thresholds.MAX_UNKNOWN_STATES,
                "at most a few Unknown release states (thresholds.MAX_UNKNOWN_STATES)",
            ),
            _e(
                "expect_column_values_to_be_null",
                "flag: release-state wording normalise does not know (published as Unknown, raw text in the note)",
                severity="warning",
                column="unknown_state_list",
            ),
            _at_most(
                "unresolved_footnote_refs",
                thresholds.MAX_UNRESOLVED_FOOTNOTE_REFS,
                "footnote references resolve to a definition for their table (thresholds.MAX_UNRESOLVED_FOOTNOTE_REFS)",
            ),
            _e(
                "expect_column_values_to_be_null",
                "flag: every footnote reference resolves",
                severity="warning",
                column="unresolved_footnote_ref_list",
            ),
        ]
    if name == "sections":
        return [
            _e(
                "expect_column_values_to_not_match_regex",
                "every section (or tab) named for features or an environment holds at least one feature table",
                column="featureless",
                regex=FEATURE_SCOPE,
            )
        ]
    if name == "feature_tables":
        return [
            _in_set(
                "core",
                FEATURE_TABLE_SHAPES,
                "every feature table has a feature, a resources and release-state columns, in a known layout",
            )
        ]
    if name == "versions":
        return [
            _e(
                "expect_column_values_to_match_regex",
                "version strings: numbers for range bounds, numbers or a codename ('bullseye') when listed",
                column="version",
                regex=VERSION,
            )
        ]
    if name == "version_ranges":
        return [
            _e(
                "expect_column_pair_values_a_to_be_greater_than_b",
                "version_min <= version_max in numeric order (keys zero-pad each number)",
                column_A="max_key",
                column_B="min_key",
                or_equal=True,
                ignore_row_if="either_value_is_missing",
            )
        ]
    if name == "drift":
        return [
            _e(
                "expect_column_min_to_be_between",
                "feature_support keeps most of its rows (thresholds.MAX_FEATURE_SUPPORT_DROP_SHARE)",
                column="feature_support_kept_share",
                min_value=round(1 - thresholds.MAX_FEATURE_SUPPORT_DROP_SHARE, 4),
            ),
            _e(
                "expect_column_values_to_be_null",
                "no environment or section of the previous good revision vanished",
                column="vanished",
            ),
            _at_most(
                "new_unknown_states",
                thresholds.MAX_NEW_UNKNOWN_STATES,
                "not many rows turn Unknown at once (thresholds.MAX_NEW_UNKNOWN_STATES)",
            ),
        ]
    if name == "matrix_drift":
        return [
            _e(
                "expect_column_min_to_be_between",
                "support keeps most of its cells (thresholds.MAX_SUPPORT_DROP_SHARE)",
                column="support_kept_share",
                min_value=round(1 - thresholds.MAX_SUPPORT_DROP_SHARE, 4),
            ),
            _e(
                "expect_column_values_to_be_null",
                "no section or tab of the previous good revision that held tables vanished",
                column="vanished",
            ),
        ]
    raise KeyError(name)


_DESCRIPTIONS = {
    "matrix_drift": "derived: this revision's tables and support cells against the previous good snapshot",
    "schema": "derived: one row per declared or observed column of every dataset",
    "revision": "derived: one row of whole-revision counts",
    "sections": "derived: one row per H2 section holding tables, and per tab of a feature section",
    "feature_tables": "derived: one row per feature table, with its core columns",
    "versions": "derived: one row per version string of os_versions (range bounds and listed versions)",
    "version_ranges": "derived: one row per OS line with both a lowest and a highest version",
    "drift": "derived: this revision against the previous good snapshot (drift guards)",
}


def build_suites(page: PageSpec | None = None) -> dict[str, dict[str, Any]]:
    """Every suite of a page (default: the default page) as the JSON-able dict written to its folder."""
    spec = _spec(page)
    suites = {}
    for name in suite_names(spec):
        if name in DATASET_SUITES:
            expectations = _common(name, spec) + _dataset_rules(name, spec)
            about = f"dataset {name}: {DATASETS[name].title}"
        else:
            expectations = _derived_rules(name, spec)
            about = _DESCRIPTIONS[name]
        suites[name] = {"name": name, "meta": {"about": about}, "expectations": expectations}
    return suites


def suite_text(suite: dict[str, Any]) -> str:
    return json.dumps(suite, ensure_ascii=False, sort_keys=True, indent=2) + "\n"


def write_suites(directory: Path | None = None, page: PageSpec | None = None) -> list[Path]:
    directory = directory if directory is not None else suites_dir(page)
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, suite in build_suites(page).items():
        path = directory / f"{name}.json"
        path.write_text(suite_text(suite), encoding="utf-8")
        written.append(path)
    return written


def load_suites(directory: Path = SUITES_DIR, names: tuple[str, ...] = SUITES) -> dict[str, dict[str, Any]]:
    """The committed suites, by name (what validation runs): every one of ``names`` must be there."""
    from ..errors import ValidationFailed

    suites = {}
    for name in names:
        path = directory / f"{name}.json"
        try:
            suites[name] = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ValidationFailed(f"cannot read expectation suite {path}: {exc}") from exc
    return suites


if __name__ == "__main__":
    from ..pages import all_pages

    if len(sys.argv) > 1:  # one folder: the default page's suites (tests write them aside)
        for written in write_suites(Path(sys.argv[1])):
            print(written)
    else:
        for spec in all_pages():
            for written in write_suites(page=spec):
                print(written)
