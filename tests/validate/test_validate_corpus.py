"""Every corpus revision passes every suite, and the drift guards stay quiet along the page's real history.

Revisions are validated in commit order against the revision before them (as a daily run would have
seen them), with one Great Expectations context for the whole file. Skipped without ../shared.
"""

from __future__ import annotations

from functools import lru_cache

import pandas as pd
import pytest

from pipeline.steps import build
from pipeline.validate import validate
from tests.corpus import CORPUS, SKIP_REASON, html_bytes, manifest, stems
from tests.validate_support import fetched

# Transitions where a drift guard fires on the real history: none. (The information section "Supported
# language specific and OS packages (Preview)" added and removed again on 2022-07-25 is ordinary editing:
# only sections holding feature tables are guarded.)
KNOWN_DRIFT: dict[str, list[str]] = {}
# Flags (warnings) a real revision may raise: the page briefly had a dangling footnote reference.
ALLOWED_FLAGS = {
    "revision.expect_column_values_to_be_null(unresolved_footnote_ref_list)",
    "revision.expect_column_values_to_be_null(unknown_state_list)",
}


def _in_commit_order() -> list[str]:
    if not (CORPUS / "html").is_dir():
        return []
    present = set(stems())
    return [row["file"].removesuffix(".md") for row in manifest() if row["file"].removesuffix(".md") in present]


ORDER = _in_commit_order()


def _params() -> list:
    if not ORDER:
        return [pytest.param(None, marks=pytest.mark.skip(reason=SKIP_REASON))]
    return ORDER


@lru_cache(maxsize=4)
def frames(stem: str) -> dict[str, pd.DataFrame]:
    body = html_bytes(stem)
    return build(body, fetched(body, source=f"{stem}.html")).frames


@pytest.mark.parametrize("stem", _params())
def test_revision_passes_every_suite_and_the_drift_guards(stem: str) -> None:
    position = ORDER.index(stem)
    previous = frames(ORDER[position - 1]) if position else None
    report = validate(frames(stem), previous=previous)
    not_drift = [name for name in report.failed if not name.startswith("drift.")]
    assert not_drift == [], report.summary_lines()
    assert [name for name in report.failed if name.startswith("drift.")] == KNOWN_DRIFT.get(stem, [])
    assert set(report.flagged) <= ALLOWED_FLAGS
    assert ("drift" in report.suites) == (previous is not None)


def test_known_drift_stems_are_in_the_corpus() -> None:
    if not ORDER:
        pytest.skip(SKIP_REASON)
    assert set(KNOWN_DRIFT) <= set(ORDER)
