"""Deterministic dataset files: the same frame always writes the same bytes.

Parquet: explicit Arrow schema from :mod:`pipeline.schema`, no pandas index,
zstd level 9, fixed row-group size, statistics on.  JSON: an array of records,
keys sorted, UTF-8, one record per line-group (indent=1) so git diffs read
well.  CSV: list columns as JSON arrays.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .schema import DATASETS, Dataset

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

PARQUET_OPTIONS: dict[str, Any] = {
    "compression": "zstd",
    "compression_level": 9,
    "use_dictionary": True,
    "write_statistics": True,
    "version": "2.6",
    "data_page_version": "1.0",
    "row_group_size": 64 * 1024,
}


def arrow_type(type_: str) -> pa.DataType:
    import pyarrow as pa

    return {
        "string": pa.string(),
        "json": pa.string(),
        "int64": pa.int64(),
        "bool": pa.bool_(),
        "float64": pa.float64(),
        "list<string>": pa.list_(pa.string()),
    }[type_]


def arrow_schema(dataset: Dataset) -> pa.Schema:
    import pyarrow as pa

    return pa.schema([pa.field(c.name, arrow_type(c.type), nullable=c.nullable) for c in dataset.columns])


def _clean_value(value: Any, type_: str) -> Any:
    if value is None:
        return None
    if type_ == "list<string>":
        return [str(v) for v in value]
    try:
        import pandas as pd

        if not isinstance(value, (list, tuple, dict)) and pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if type_ == "int64":
        return int(value)
    if type_ == "bool":
        return bool(value)
    if type_ == "float64":
        return float(value)
    return str(value)


def records(frame: pd.DataFrame, dataset: Dataset) -> list[dict[str, Any]]:
    """Plain-Python records in the dataset's column order, nulls as None."""
    types = {c.name: c.type for c in dataset.columns}
    cols = dataset.names
    out = []
    for row in frame[cols].itertuples(index=False, name=None):
        out.append({c: _clean_value(v, types[c]) for c, v in zip(cols, row)})
    return out


def conform(frame: pd.DataFrame, dataset: Dataset) -> pd.DataFrame:
    """Fixed column order and row order (by key unless the dataset keeps page order)."""
    missing = [c for c in dataset.names if c not in frame.columns]
    if missing:
        raise ValueError(f"{dataset.name}: missing columns {missing}")
    frame = frame[dataset.names]
    if not dataset.document_order and len(frame):
        frame = frame.sort_values(list(dataset.key), kind="stable", na_position="first")
    return frame.reset_index(drop=True)


def to_arrow(frame: pd.DataFrame, dataset: Dataset) -> pa.Table:
    import pyarrow as pa

    rows = records(frame, dataset)
    schema = arrow_schema(dataset)
    return pa.Table.from_pylist(rows, schema=schema) if rows else schema.empty_table()


def json_bytes(obj: Any) -> bytes:
    return (json.dumps(obj, ensure_ascii=False, sort_keys=True, indent=1) + "\n").encode("utf-8")


def write_dataset(
    frame: pd.DataFrame, directory: Path, name: str, *, formats: tuple[str, ...] = ("parquet", "json")
) -> list[Path]:
    """Write ``name.<format>`` for each of ``formats`` (parquet, json, csv) into ``directory``."""
    import pyarrow.parquet as pq

    dataset = DATASETS[name]
    frame = conform(frame, dataset)
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    if "parquet" in formats:
        path = directory / f"{name}.parquet"
        pq.write_table(to_arrow(frame, dataset), path, **PARQUET_OPTIONS)
        written.append(path)
    if "json" in formats:
        path = directory / f"{name}.json"
        path.write_bytes(json_bytes(records(frame, dataset)))
        written.append(path)
    if "csv" in formats:
        written.append(write_csv(frame, dataset, directory / f"{name}.csv"))
    return written


def write_csv(frame: pd.DataFrame, dataset: Dataset, path: Path) -> Path:
    import csv as _csv
    import io

    buf = io.StringIO()
    writer = _csv.writer(buf, lineterminator="\n")
    writer.writerow(dataset.names)
    for rec in records(frame, dataset):
        writer.writerow(
            [
                json.dumps(v, ensure_ascii=False) if isinstance(v, list) else ("" if v is None else v)
                for v in rec.values()
            ]
        )
    path.write_text(buf.getvalue(), encoding="utf-8")
    return path


def read_dataset(directory: Path, name: str) -> pd.DataFrame:
    """Read ``name.parquet`` back into pandas with list columns as Python lists."""
    import pyarrow.parquet as pq

    table = pq.read_table(directory / f"{name}.parquet")
    frame = table.to_pandas()
    dataset = DATASETS.get(name)
    if dataset is not None:
        for col in dataset.columns:
            if col.type == "list<string>" and col.name in frame.columns:
                frame[col.name] = [list(v) if v is not None else [] for v in frame[col.name]]
    return frame


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write via a temporary file in the same folder, then rename: readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
