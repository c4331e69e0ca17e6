"""Deterministic dataset files: the same frame always writes the same bytes.

Parquet: explicit Arrow schema from :mod:`pipeline.schema`, no pandas index,
zstd level 3, fixed row-group size, statistics on.  JSON: an array of records,
keys sorted, UTF-8, one record per line-group (indent=1) so git diffs read
well.  CSV: list columns as JSON arrays, ``json`` columns as JSON text, null as
an empty field.

Types every reader keeps (see :mod:`pipeline.schema`): a ``timestamp`` is
ISO-8601 text in memory, JSON and CSV (``2024-06-01T08:00:00Z``, always this
canonical form) and ``timestamp[us, UTC]`` in Parquet; a ``json`` column is JSON
text in memory and CSV, an object in JSON and ``map<string, string>`` in
Parquet.  :func:`read_dataset` turns both back into their in-memory text, so a
frame read back equals the frame written.
"""

from __future__ import annotations

import functools
import itertools
import json
import os
import tempfile
from datetime import UTC, datetime
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
        "json": pa.map_(pa.string(), pa.string()),
        "timestamp": pa.timestamp("us", tz="UTC"),
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


@functools.lru_cache(maxsize=4096)
def iso_time(text: str) -> str:
    """ISO-8601 text (a date, or a date-time with ``Z``, an offset or none meaning UTC) in the one
    canonical form the files use: ``YYYY-MM-DDTHH:MM:SS[.ffffff]Z``."""
    return format_time(parse_time(text))


def parse_time(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not an ISO-8601 time") from None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def format_time(value: datetime) -> str:
    value = value.astimezone(UTC) if value.tzinfo else value
    return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ" if value.microsecond else "%Y-%m-%dT%H:%M:%SZ")


def _time_text(value: Any) -> str | None:
    if _is_null(value) or value == "":
        return None
    if isinstance(value, datetime):  # also pandas Timestamp
        return format_time(value if value.tzinfo else value.replace(tzinfo=UTC))
    return iso_time(str(value))


def _cleaner(type_: str) -> Any:
    if type_ == "list<string>":
        return lambda v: None if v is None else [str(x) for x in v]
    if type_ == "timestamp":
        return _time_text
    convert = {"int64": int, "bool": bool, "float64": float}.get(type_, str)
    return lambda v: None if _is_null(v) else convert(v)


# Values of these Python types are already clean for the declared type (``type(v)``, so a bool is
# not taken for an int): a column holding only them and None is used as it is.
_CLEAN_TYPES: dict[str, set[type]] = {"string": {str}, "int64": {int}, "bool": {bool}}


def columns(frame: pd.DataFrame, dataset: Dataset) -> dict[str, list[Any]]:
    """Plain-Python values per column, in the dataset's column order, nulls as None."""
    return {col.name: _clean(frame[col.name].tolist(), col.type) for col in dataset.columns}


def _clean(values: list[Any], type_: str) -> list[Any]:
    # the built frames are mostly clean already: a C pass over the value types (and the items of
    # list columns) finds that out, and only a column that needs it is converted value by value
    found = set(map(type, values)) - {type(None)}
    if found <= _CLEAN_TYPES.get(type_, set()):
        return values
    if type_ == "list<string>" and found <= {list}:
        items = itertools.chain.from_iterable(v for v in values if v is not None)
        if set(map(type, items)) <= {str}:
            return values
    clean = _cleaner(type_)
    return [clean(v) for v in values]


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
    arrays = [pa.array(_to_arrow_values(cols[c.name], c.type), type=arrow_type(c.type)) for c in dataset.columns]
    return pa.Table.from_arrays(arrays, schema=schema)


def _to_arrow_values(values: list[Any], type_: str) -> list[Any]:
    if type_ == "timestamp":
        return [None if v is None else parse_time(v) for v in values]
    if type_ == "json":
        return [None if v is None else list(_json_object(v).items()) for v in values]
    return values


def _json_object(text: str) -> dict[str, str | None]:
    """A ``json`` column's text as the object of strings it holds."""
    value = json.loads(text)
    if not isinstance(value, dict):
        raise ValueError(f"not a JSON object: {text[:60]!r}")
    return {str(k): None if v is None else str(v) for k, v in value.items()}


def _json_records(recs: list[dict[str, Any]], dataset: Dataset) -> list[dict[str, Any]]:
    """Records as the JSON file holds them: ``json`` columns as objects, not text."""
    objects = [c.name for c in dataset.columns if c.type == "json"]
    if not objects:
        return recs
    return [{**r, **{n: None if r[n] is None else _json_object(r[n]) for n in objects}} for r in recs]


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
    frame: pd.DataFrame,
    directory: Path,
    name: str,
    *,
    formats: tuple[str, ...] = ("parquet", "json"),
    dataset: Dataset | None = None,
) -> list[Path]:
    """Write ``name.<format>`` for each of ``formats`` (parquet, json, csv) into ``directory``
    (``dataset``: another shape of the dataset, e.g. its published columns)."""
    dataset = dataset or DATASETS[name]
    missing = [c for c in dataset.names if c not in frame.columns]
    if missing:
        raise ValueError(f"{dataset.name}: missing columns {missing}")
    cols = columns(frame, dataset)
    if not dataset.document_order and len(frame):
        cols = _by_key(cols, dataset)
    return _write(cols, dataset, directory, formats)


def _by_key(cols: dict[str, list[Any]], dataset: Dataset) -> dict[str, list[Any]]:
    """The rows in key order, nulls first, ties in their order: what :func:`conform` gives, sorted by
    Arrow (a stable sort too) on the clean key values instead of through pandas, at a fraction of its cost."""
    import pyarrow as pa
    import pyarrow.compute as pc

    keys = pa.table({k: pa.array(cols[k]) for k in dataset.key})
    order = pc.sort_indices(keys, sort_keys=[(k, "ascending", "at_start") for k in dataset.key])
    if pc.all(pc.equal(order, pa.array(range(len(order)), type=order.type))).as_py():
        return cols  # already in order (often: the build emits most datasets sorted)
    taken = order.to_pylist()
    return {name: [values[i] for i in taken] for name, values in cols.items()}


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
        path.write_bytes(json_bytes(_json_records(recs, dataset)))
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
        for col in dataset.published().columns:
            if col.name not in frame.columns:
                continue
            values = frame[col.name]
            if col.type == "list<string>":
                frame[col.name] = [list(v) if v is not None else [] for v in values]
            elif col.type == "timestamp" and not _is_text(table, col.name):
                frame[col.name] = pd_object([_time_text(v) for v in values])
            elif col.type == "json" and not _is_text(table, col.name):
                frame[col.name] = pd_object([None if v is None else _map_text(v) for v in values])
    return frame


def _is_text(table: pa.Table, column: str) -> bool:
    # files written before the schema's 2.0.0 hold timestamps and extras as text
    import pyarrow as pa

    return bool(pa.types.is_string(table.schema.field(column).type))


def _map_text(entries: Any) -> str:
    """A Parquet map (pairs, as pyarrow gives them) as the JSON text normalise makes."""
    return json.dumps(dict(entries), ensure_ascii=False, sort_keys=True)


def pd_object(values: list[Any]) -> Any:
    import pandas as pd

    return pd.Series(values, dtype=object)


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
