"""The extracted datasets (cells, tables, footnotes, notes, page) as DataFrames.

Pure: a :class:`~pipeline.model.Document` and the fetch facts in, frames out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from .model import Document

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


def cells_frame(doc: Document) -> pd.DataFrame:
    import pandas as pd

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
    return pd.DataFrame(cols, columns=_names("cells"))


def tables_frame(doc: Document) -> pd.DataFrame:
    import pandas as pd

    rows = [
        {
            "table_index": t.index,
            "section": t.scope.section,
            "tab": t.scope.tab,
            "subheading": t.scope.subheading,
            "headers": list(t.headers),
            "n_rows": len(t.rows),
            "n_cols": len(t.headers),
            "kind": t.kind,
        }
        for t in doc.tables
    ]
    return pd.DataFrame(rows, columns=_names("tables"))


def footnotes_frame(doc: Document) -> pd.DataFrame:
    import pandas as pd

    rows = [
        {
            "anchor": f.anchor,
            "marker": f.marker,
            "text": f.text,
            "section": f.scope.section,
            "tab": f.scope.tab,
            "table_index": f.table_index,
        }
        for f in doc.footnotes
    ]
    frame = pd.DataFrame(rows, columns=_names("footnotes"))
    frame["table_index"] = frame["table_index"].astype("Int64")
    return frame


def notes_frame(doc: Document) -> pd.DataFrame:
    import pandas as pd

    rows = [{"kind": n.kind, "text": n.text, "section": n.scope.section, "tab": n.scope.tab} for n in doc.notes]
    return pd.DataFrame(rows, columns=_names("notes"))


def page_frame(doc: Document, fetched: FetchInfo) -> pd.DataFrame:
    import pandas as pd

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
    frame = pd.DataFrame([row], columns=_names("page"))
    frame["http_status"] = frame["http_status"].astype("Int64")
    return frame


def extracted_frames(doc: Document, fetched: FetchInfo) -> dict[str, pd.DataFrame]:
    """All extracted datasets for one page, by name."""
    return {
        "cells": cells_frame(doc),
        "tables": tables_frame(doc),
        "footnotes": footnotes_frame(doc),
        "notes": notes_frame(doc),
        "page": page_frame(doc, fetched),
    }


def _names(dataset: str) -> list[str]:
    from .schema import DATASETS

    return DATASETS[dataset].names
