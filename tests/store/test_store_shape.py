"""The store's own files are refused when they have the wrong shape (pipeline/store/_shape.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from pipeline.errors import SnapshotError
from pipeline.store._shape import index_entries
from pipeline.store.snapshots import SnapshotStore

SHA = "0123456789abcdef" * 4
GOOD = {"id": SHA[:16], "sha256": SHA, "status": "good", "fetched_at": "2025-03-30T10:00:00Z"}


def test_a_well_formed_index_gives_its_entries() -> None:
    assert index_entries({"snapshots": [GOOD]}, Path("index.json")) == [GOOD]
    assert index_entries({"snapshots": []}, Path("index.json")) == []


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ([], "found list"),
        ({}, "without a 'snapshots' list"),
        ({"snapshots": {}}, "without a 'snapshots' list"),
        ({"snapshots": ["x"]}, "entry 0 is a str"),
        ({"snapshots": [{k: v for k, v in GOOD.items() if k != "id"}]}, "entry 0 has no valid id"),
        ({"snapshots": [{**GOOD, "id": "../../../../tmp"}]}, "no valid id"),
        ({"snapshots": [{**GOOD, "id": SHA[:16].upper()}]}, "no valid id"),
        ({"snapshots": [GOOD, {**GOOD, "sha256": None}]}, "entry 1 (0123456789abcdef) has no valid sha256"),
        ({"snapshots": [{**GOOD, "status": 3}]}, "status that is not text"),
    ],
)
def test_a_wrong_shape_is_a_snapshot_error_naming_the_file_and_entry(data: Any, words: str) -> None:
    with pytest.raises(SnapshotError, match=r"index\.json has the wrong shape") as info:
        index_entries(data, Path("snapshots/index.json"))
    assert words in str(info.value) and info.value.exit_code == 6


def test_the_store_reads_its_index_through_the_check(tmp_path: Path) -> None:
    (tmp_path / "index.json").write_text(json.dumps([GOOD]), encoding="utf-8")
    store = SnapshotStore(tmp_path)
    for read in (store.entries, store.latest_good, store.listing, lambda: store.get("0123")):
        with pytest.raises(SnapshotError, match="wrong shape"):
            read()


def test_a_history_without_the_changes_columns_is_a_snapshot_error(tmp_path: Path) -> None:
    pd.DataFrame({"x": [1]}).to_parquet(tmp_path / "changes.parquet")
    with pytest.raises(SnapshotError, match=r"changes.parquet has the wrong shape: no column change_id, kind"):
        SnapshotStore(tmp_path).changes()
