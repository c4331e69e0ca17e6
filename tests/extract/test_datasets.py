"""Frame building (pipeline.extract.datasets.frame): no string inference, the schema's int dtypes, and the same
frame by pandas' block constructor and by the column-at-a-time path pandas 2 takes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pipeline.extract import datasets
from pipeline.schema import DATASETS, EXTRACTED, TIDY
from pipeline.steps import build
from tests.support import local_fetched

SAMPLE = (Path(__file__).parents[1] / "fixtures" / "learn_sample.html").read_bytes()


@pytest.fixture(scope="module")
def frames() -> dict[str, pd.DataFrame]:
    fetched = local_fetched(SAMPLE, source="sample.html", fetched_at="2025-03-30T10:00:00Z")
    return build(SAMPLE, fetched).frames


@pytest.mark.parametrize("name", [*EXTRACTED, *TIDY])
def test_strings_stay_objects_and_ints_are_ints(frames: dict[str, pd.DataFrame], name: str) -> None:
    frame = frames[name]
    assert list(frame.columns) == DATASETS[name].names
    for column in DATASETS[name].columns:
        dtype = frame[column.name].dtype
        if column.type == "int64":
            assert dtype in (np.dtype("int64"), pd.Int64Dtype()), (column.name, dtype)
        else:
            assert dtype == np.dtype(object), (column.name, dtype)


@pytest.mark.parametrize("name", ["cells", "footnotes", "page", "features", "support_items"])
def test_block_and_column_paths_build_the_same_frame(
    frames: dict[str, pd.DataFrame], name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = {c: frames[name][c].tolist() for c in DATASETS[name].names}
    by_blocks = datasets.frame(name, data)
    monkeypatch.setattr(datasets, "_from_blocks", lambda b, n, name: datasets._from_blocks_by_column(b, n, name))
    by_column = datasets.frame(name, data)
    pd.testing.assert_frame_equal(by_blocks, by_column)
    assert (
        by_column["table_index" if name != "page" else "bytes"].tolist()
        == data["table_index" if name != "page" else "bytes"]
    )


def test_an_empty_frame_has_every_column() -> None:
    empty = datasets.frame("notes", {c: [] for c in DATASETS["notes"].names})
    assert list(empty.columns) == DATASETS["notes"].names and len(empty) == 0
