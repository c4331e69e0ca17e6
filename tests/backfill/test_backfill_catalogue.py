"""Backfill of each sibling page's real history (../shared/catalogue): nothing authored is quarantined,
and its support changes are recorded (issue #16's "backfill --page SLUG over each sibling's history")."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.backfill import BackfillOptions, backfill
from pipeline.pages import get
from tests.backfill_support import commit_catalogue
from tests.corpus import CATALOGUE, CATALOGUE_PAGES, CATALOGUE_SKIP


@pytest.mark.skipif(not CATALOGUE.is_dir(), reason=CATALOGUE_SKIP)
@pytest.mark.parametrize("folder", sorted(CATALOGUE_PAGES))
def test_a_sibling_history_replays_without_quarantine(folder: str, tmp_path: Path) -> None:
    versions = commit_catalogue(tmp_path / "docs", folder)
    spec = get(CATALOGUE_PAGES[folder])
    opts = BackfillOptions(
        git_repos=(tmp_path / "docs",), page=spec, snapshots=tmp_path / "s", output=tmp_path / "o", jobs=2
    )
    result = backfill(opts)
    assert result.versions > 1 and result.versions <= versions
    assert result.quarantined == 0, result.quarantined_ids
    assert result.good == result.versions
    assert result.changes > 0
    assert result.history is not None and set(result.history["dataset"]) <= {"support", "notes", "page"}
    assert "support" in set(result.history["dataset"])
    published = (tmp_path / "o" / "latest" / "support.parquet").is_file()
    assert published and not (tmp_path / "o" / "latest" / "features.parquet").exists()
    # a restructure of a page without feature_support is measured on its support cells, by section
    restructured = result.history[result.history["kind"] == "restructured"]
    for summary, new in zip(restructured["summary"], restructured["new"]):
        assert "feature_support" not in summary and "of support cells kept" in summary, summary
        assert json.loads(new), summary  # the sections after it: the page's sections, never none
