"""The shapes of the snapshot store's own files, checked as they are read (pure: parsed data in,
checked data out).

``index.json``: every reader of the store indexes entries by ``id`` and ``sha256`` and builds folder paths from the
id, so an index of the wrong shape (``[]``, an entry without an id, an id that is not 16 hex
characters and could name a path outside the store) is refused here as a
:class:`~pipeline.errors.SnapshotError` (exit 6) naming the file and the entry, instead of an
AttributeError or KeyError somewhere later in the run. ``changes.parquet``: a file without the
``changes`` columns (another table saved under its name) is refused the same way.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import SnapshotError

if TYPE_CHECKING:
    import pandas as pd

_ID = re.compile(r"[0-9a-f]{16}")
_SHA256 = re.compile(r"[0-9a-f]{64}")


def index_entries(data: Any, path: Path) -> list[dict[str, Any]]:
    """The snapshot entries of a parsed index, oldest first, or SnapshotError saying what is wrong."""
    if not isinstance(data, dict) or not isinstance(data.get("snapshots"), list):
        found = type(data).__name__ if not isinstance(data, dict) else "an object without a 'snapshots' list"
        raise SnapshotError(f'{path} has the wrong shape: expected {{"snapshots": [...]}}, found {found}')
    entries: list[dict[str, Any]] = data["snapshots"]
    for i, entry in enumerate(entries):
        problem = _entry_problem(entry)
        if problem:
            raise SnapshotError(f"{path} has the wrong shape: entry {i} {problem}")
    return list(entries)


def _entry_problem(entry: Any) -> str | None:
    if not isinstance(entry, dict):
        return f"is a {type(entry).__name__}, not an object"
    ident, sha = entry.get("id"), entry.get("sha256")
    if not isinstance(ident, str) or not _ID.fullmatch(ident):
        return f"has no valid id (16 lowercase hex characters): {ident!r}"
    if not isinstance(sha, str) or not _SHA256.fullmatch(sha):
        return f"({ident}) has no valid sha256 (64 lowercase hex characters)"
    if not isinstance(entry.get("status", ""), str):
        return f"({ident}) has a status that is not text"
    return None


def history_frame(frame: pd.DataFrame, path: Path, columns: list[str]) -> pd.DataFrame:
    """The change history as read, provided it has every column of the ``changes`` dataset."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise SnapshotError(f"{path} has the wrong shape: no column {', '.join(missing)}")
    return frame
