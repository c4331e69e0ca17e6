"""``pipeline.load``: one published dataset as a DataFrame, from a local output/ or the published site."""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING

from .schema import DATASETS

if TYPE_CHECKING:
    import pandas as pd

LATEST = "latest"


def load(dataset: str, root: str | Path = "output") -> pd.DataFrame:
    """Read ``<root>/latest/<dataset>.parquet``; ``root`` is a folder or an http(s) URL of the site root.

    List columns come back as Python lists, ``features.extra`` as dicts, timestamps as
    ``datetime64[us, UTC]``, in the registry's column order.
    """
    import pyarrow.parquet as pq

    if dataset not in DATASETS:
        raise ValueError(f"unknown dataset {dataset!r}; one of: {', '.join(sorted(DATASETS))}")
    text = str(root)
    if text.startswith(("https://", "http://")):
        table = pq.read_table(io.BytesIO(_download(f"{text.rstrip('/')}/{LATEST}/{dataset}.parquet")))
    else:
        table = pq.read_table(Path(root) / LATEST / f"{dataset}.parquet")
    frame = table.to_pandas()
    for col in DATASETS[dataset].published().columns:
        if col.name not in frame.columns:
            continue
        if col.type == "list<string>":
            frame[col.name] = [list(v) if v is not None else [] for v in frame[col.name]]
        elif col.type == "json":  # a Parquet map reads as (key, value) pairs
            frame[col.name] = [dict(v) if isinstance(v, (list, tuple)) else v for v in frame[col.name]]
    return frame


def _download(url: str) -> bytes:
    import httpx

    response = httpx.get(url, follow_redirects=True, timeout=30.0)
    response.raise_for_status()
    return response.content
