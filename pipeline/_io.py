"""Deterministic dataset files: the same frame always writes the same bytes.

Parquet: explicit Arrow schema from :mod:`pipeline.schema`, no pandas index,
zstd level 3, fixed row-group size, statistics on.  JSON: an array of records,
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
    "compression_level": 3,
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


def _is_null(value: Any) -> bool:
    # None, float NaN, pandas NA/NaT: the three ways a missing value reaches us from pandas
    if value is None or type(value).__name__ in ("NAType", "NaTType"):
        return True
    return isinstance(value, float) and value != value


def _cleaner(type_: str) -> Any:
    if type_ == "list<string>":
        return lambda v: None if v is None else [str(x) for x in v]
    convert = {"int64": int, "bool": bool, "float64": float}.get(type_, str)
    return lambda v: None if _is_null(v) else convert(v)


def columns(frame: pd.DataFrame, dataset: Dataset) -> dict[str, list[Any]]:
    """Plain-Python values per column, in the dataset's column order, nulls as None."""
    out: dict[str, list[Any]] = {}
    for col in dataset.columns:
        clean = _cleaner(col.type)
        out[col.name] = [clean(v) for v in frame[col.name].tolist()]
    return out


def records(frame: pd.DataFrame, dataset: Dataset) -> list[dict[str, Any]]:
    """Plain-Python records in the dataset's column order, nulls as None."""
    return _records(columns(frame, dataset))


def _records(cols: dict[str, list[Any]]) -> list[dict[str, Any]]:
    names = list(cols)
    return [dict(zip(names, row)) for row in zip(*cols.values())]


def same_data(a: pd.DataFrame, b: pd.DataFrame, name: str) -> bool:
    """The two frames hold the same rows of dataset ``name``, whatever their dtypes (in memory or read back)."""
    dataset = DATASETS[name]
    try:
        return records(conform(a, dataset), dataset) == records(conform(b, dataset), dataset)
    except (KeyError, ValueError):
        return False


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
    return _arrow(columns(frame, dataset), dataset)


def _arrow(cols: dict[str, list[Any]], dataset: Dataset) -> pa.Table:
    import pyarrow as pa

    schema = arrow_schema(dataset)
    arrays = [pa.array(cols[c.name], type=arrow_type(c.type)) for c in dataset.columns]
    return pa.Table.from_arrays(arrays, schema=schema)


def parquet_bytes(table: pa.Table) -> bytes:
    """Parquet with the pinned settings, written in memory (no filesystem lookup per file)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, **PARQUET_OPTIONS)
    return bytes(sink.getvalue().to_pybytes())


def json_bytes(obj: Any) -> bytes:
    return (json.dumps(obj, ensure_ascii=False, sort_keys=True, indent=1) + "\n").encode("utf-8")


def write_dataset(
    frame: pd.DataFrame, directory: Path, name: str, *, formats: tuple[str, ...] = ("parquet", "json")
) -> list[Path]:
    """Write ``name.<format>`` for each of ``formats`` (parquet, json, csv) into ``directory``."""
    dataset = DATASETS[name]
    frame = conform(frame, dataset)
    return _write(columns(frame, dataset), dataset, directory, formats)


def write_records(
    rows: list[dict[str, Any]], directory: Path, name: str, *, formats: tuple[str, ...] = ("parquet", "json")
) -> list[Path]:
    """Like :func:`write_dataset` for records already clean and in key order (e.g. the change history)."""
    dataset = DATASETS[name]
    cols = {c.name: [r.get(c.name) for r in rows] for c in dataset.columns}
    return _write(cols, dataset, directory, formats)


def _write(cols: dict[str, list[Any]], dataset: Dataset, directory: Path, formats: tuple[str, ...]) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    recs = _records(cols) if ("json" in formats or "csv" in formats) else []
    if "parquet" in formats:
        path = directory / f"{dataset.name}.parquet"
        path.write_bytes(parquet_bytes(_arrow(cols, dataset)))
        written.append(path)
    if "json" in formats:
        path = directory / f"{dataset.name}.json"
        path.write_bytes(json_bytes(recs))
        written.append(path)
    if "csv" in formats:
        written.append(_write_csv(recs, dataset, directory / f"{dataset.name}.csv"))
    return written


def write_csv(frame: pd.DataFrame, dataset: Dataset, path: Path) -> Path:
    return _write_csv(records(frame, dataset), dataset, path)


def _write_csv(recs: list[dict[str, Any]], dataset: Dataset, path: Path) -> Path:
    import csv as _csv
    import io

    buf = io.StringIO()
    writer = _csv.writer(buf, lineterminator="\n")
    writer.writerow(dataset.names)
    for rec in recs:
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
