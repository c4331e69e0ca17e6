"""The extracted datasets (cells, tables, footnotes, notes, page) as DataFrames.

Pure: a :class:`~pipeline.model.Document` and the fetch facts in, frames out.

Frames are built from column lists with ``dtype=object`` (:func:`frame`): pandas 3 otherwise infers
its string dtype column by column, which was about half of frame building.  Only int columns get a
numeric dtype (``int64``, or ``Int64`` where nulls may occur).  The published files are unchanged:
the writers (``_io``) convert every column by the schema, whatever its dtype in memory.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from typing import TYPE_CHECKING, Any, Protocol

from ..model import Document

if TYPE_CHECKING:
    import pandas as pd


class FetchInfo(Protocol):
    """What the page dataset needs to know about how the page was obtained (``fetch.Fetched`` has it)."""

    @property
    def source(self) -> str: ...
    @property
    def final_url(self) -> str | None: ...
    @property
    def fetched_at(self) -> str: ...
    @property
    def http_status(self) -> int | None: ...
    @property
    def etag(self) -> str | None: ...
    @property
    def last_modified(self) -> str | None: ...
    @property
    def provenance(self) -> str: ...
    @property
    def sha256(self) -> str: ...
    @property
    def bytes(self) -> int: ...


def frame(name: str, data: Mapping[str, Sequence[Any]], nullable_ints: Iterable[str] = ()) -> pd.DataFrame:
    """A frame of dataset ``name`` from column lists, without per-column string inference.

    Strings and lists stay Python objects; the dataset's ``int64`` columns become ``int64``, or the
    nullable ``Int64`` when listed in ``nullable_ints`` or declared nullable.  Every column of the
    dataset must be in ``data``, all of one length.
    """
    import numpy as np
    import pandas as pd

    from ..schema import DATASETS

    dataset = DATASETS[name]
    nullable = set(nullable_ints)
    n = len(next(iter(data.values()), ()))
    objects: list[int] = []
    ints: list[int] = []
    extension: list[tuple[Any, Any]] = []
    for position, column in enumerate(dataset.columns):
        if column.type != "int64":
            objects.append(position)
        elif column.nullable or column.name in nullable:
            extension.append((pd.array(data[column.name], dtype="Int64"), np.array([position])))
        else:
            ints.append(position)
    # blocks as pandas stores them, (columns, rows): a dict of columns costs a sanitising pass per column
    block = np.empty((len(objects), n), dtype=object)
    for row, position in enumerate(objects):
        column = dataset.columns[position]
        if column.type in ("list<string>", "json"):
            for i, value in enumerate(data[column.name]):  # numpy would read a list of lists as a second axis
                block[row, i] = value
        else:
            block[row, :] = data[column.name]
    number = np.array([data[dataset.columns[p].name] for p in ints], dtype=np.int64).reshape(len(ints), n)
    blocks = [(block, np.array(objects)), (number, np.array(ints)), *extension]
    blocks = [(array, where) for array, where in blocks if len(where)]
    return _from_blocks(blocks, n, name)


def _from_blocks(blocks: list[tuple[Any, Any]], n: int, name: str) -> pd.DataFrame:
    import pandas as pd

    try:  # pandas >= 3: the public low-level constructor, arrays taken as they are
        from pandas.api.internals import create_dataframe_from_blocks  # type: ignore[import-not-found,unused-ignore]
    except ImportError:  # pandas 2: the same frame, one column at a time
        return _from_blocks_by_column(blocks, n, name)
    return create_dataframe_from_blocks(blocks, index=pd.RangeIndex(n), columns=_index(name))


def _from_blocks_by_column(blocks: list[tuple[Any, Any]], n: int, name: str) -> pd.DataFrame:
    import pandas as pd

    columns: dict[int, Any] = {}
    for array, where in blocks:
        for i, position in enumerate(where):
            columns[int(position)] = array[i] if getattr(array, "ndim", 1) == 2 else array
    out = pd.DataFrame({p: pd.Series(columns[p], dtype=columns[p].dtype) for p in sorted(columns)}, index=range(n))
    out.columns = _index(name)
    return out


def cells_frame(doc: Document) -> pd.DataFrame:
    # column lists, not row dicts: a page has hundreds of cells and pandas builds columns faster
    cols: dict[str, list[object]] = {name: [] for name in _names("cells")}
    for t in doc.tables:
        for r, row in enumerate(t.rows):
            for c, cell in enumerate(row):
                cols["table_index"].append(t.index)
                cols["section"].append(t.scope.section)
                cols["tab"].append(t.scope.tab)
                cols["subheading"].append(t.scope.subheading)
                cols["row"].append(r)
                cols["col_index"].append(c)
                cols["column"].append(t.headers[c] if c < len(t.headers) else "")
                cols["value"].append(cell.value)
                cols["footnotes"].append(list(cell.footnotes))
                cols["links"].append(list(cell.links))
    return frame("cells", cols)


def tables_frame(doc: Document) -> pd.DataFrame:
    tables = doc.tables
    cols: dict[str, list[Any]] = {
        "table_index": [t.index for t in tables],
        "section": [t.scope.section for t in tables],
        "tab": [t.scope.tab for t in tables],
        "subheading": [t.scope.subheading for t in tables],
        "headers": [list(t.headers) for t in tables],
        "n_rows": [len(t.rows) for t in tables],
        "n_cols": [len(t.headers) for t in tables],
        "kind": [t.kind for t in tables],
    }
    return frame("tables", cols)


def footnotes_frame(doc: Document) -> pd.DataFrame:
    notes = doc.footnotes
    cols: dict[str, list[Any]] = {
        "anchor": [f.anchor for f in notes],
        "marker": [f.marker for f in notes],
        "text": [f.text for f in notes],
        "section": [f.scope.section for f in notes],
        "tab": [f.scope.tab for f in notes],
        "table_index": [f.table_index for f in notes],
    }
    return frame("footnotes", cols)


def notes_frame(doc: Document) -> pd.DataFrame:
    notes = doc.notes
    cols: dict[str, list[Any]] = {
        "kind": [n.kind for n in notes],
        "text": [n.text for n in notes],
        "section": [n.scope.section for n in notes],
        "tab": [n.scope.tab for n in notes],
    }
    return frame("notes", cols)


def page_frame(doc: Document, fetched: FetchInfo) -> pd.DataFrame:
    meta = doc.meta
    row = {
        "source": fetched.source,
        "final_url": fetched.final_url,
        "fetched_at": fetched.fetched_at,
        "http_status": fetched.http_status,
        "etag": fetched.etag,
        "last_modified": fetched.last_modified,
        "sha256": fetched.sha256,
        "bytes": fetched.bytes,
        "title": meta.title,
        "canonical_url": meta.canonical_url,
        "ms_date": meta.ms_date,
        "updated_at": meta.updated_at,
        "git_commit_id": meta.git_commit_id,
        "document_id": meta.document_id,
        "provenance": fetched.provenance,
    }
    return frame("page", {k: [v] for k, v in row.items()})


def extracted_frames(doc: Document, fetched: FetchInfo) -> dict[str, pd.DataFrame]:
    """All extracted datasets for one page, by name."""
    return {
        "cells": cells_frame(doc),
        "tables": tables_frame(doc),
        "footnotes": footnotes_frame(doc),
        "notes": notes_frame(doc),
        "page": page_frame(doc, fetched),
    }


@cache
def _index(dataset: str) -> pd.Index:
    """The dataset's column labels, built once: a new Index per frame was a quarter of building it."""
    import pandas as pd

    from ..schema import DATASETS

    return pd.Index(DATASETS[dataset].names)


def _names(dataset: str) -> list[str]:
    from ..schema import DATASETS

    return DATASETS[dataset].names
