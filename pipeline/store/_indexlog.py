"""Listings and sightings appended to ``snapshots/index.log``, folded into the index now and then (I/O).

``index.json`` and ``last_checked.json`` are whole documents, so rewriting them
on every store costs time in proportion to the store's size. Instead a store
appends one JSON line per change to ``index.log``, fsynced before it returns
(durable before visible), and readers fold the log onto the two documents::

    {"entry": {...}}                    list a snapshot, or replace the listed entry with that id
    {"at": "<time>", "seen": "<id>"}    a sighting (last_checked: the later time wins)

Folding is idempotent (an entry replaces the one with its id, a sighting keeps
the later time), so the log is compacted by writing both documents whole and
only then removing it: a kill in between folds the same lines again onto
documents that already hold them. The store compacts once the log would hold
1/``RATIO`` of the index, which keeps a store's cost flat in the store's size
and, below ``RATIO`` snapshots, writes the documents at once, as stores always
did (small stores never have a log). A store written before the log existed
has none and opens unchanged; a reader that knows nothing of the log sees the
store as of its last compaction. A torn last line (a kill mid-append) is
dropped, since its store had not returned; any other unreadable line is damage.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from ..errors import SnapshotError
from ._shape import index_entries
from .journal import append_durably

LOG = "index.log"
RATIO = 64

_ENCODE = json.JSONEncoder(ensure_ascii=False, sort_keys=True).encode


def entry_line(entry: dict[str, Any]) -> bytes:
    return (_ENCODE({"entry": entry}) + "\n").encode("utf-8")


def seen_line(ident: str, at: str) -> bytes:
    return (_ENCODE({"at": at, "seen": ident}) + "\n").encode("utf-8")


def read(path: Path) -> list[dict[str, Any]]:
    """The complete lines, oldest first (none without a log); SnapshotError on a damaged one."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise SnapshotError(f"cannot read {path}: {exc.strerror or exc}") from exc
    lines = data.split(b"\n")[:-1]  # what follows the last newline is a torn append, never acted on
    rows = []
    for number, raw in enumerate(lines, 1):
        try:
            row = json.loads(raw)
        except ValueError:
            row = None
        if not _well_formed(row, path):
            raise SnapshotError(f"{path} is damaged: line {number} is neither a listing nor a sighting")
        rows.append(row)
    return rows


def _well_formed(row: Any, path: Path) -> bool:
    if not isinstance(row, dict):
        return False
    if set(row) == {"entry"}:
        index_entries({"snapshots": [row["entry"]]}, path)  # the index's own checks, naming the problem
        return True
    return set(row) == {"at", "seen"} and isinstance(row["at"], str) and isinstance(row["seen"], str)


def fold(entries: list[dict[str, Any]], checked: dict[str, str], rows: list[dict[str, Any]]) -> tuple[bool, bool]:
    """Apply log rows to the index entries and the sightings, in place; which of the two changed."""
    listed = {e["id"]: i for i, e in enumerate(entries)}
    listings = sightings = False
    for row in rows:
        if "entry" in row:
            entry = row["entry"]
            where = listed.get(entry["id"])
            if where is None:
                listed[entry["id"]] = len(entries)
                entries.append(entry)
            else:
                entries[where] = entry
            listings = True
        else:
            checked[row["seen"]] = max(checked.get(row["seen"], ""), row["at"])
            sightings = True
    return listings, sightings


def append(path: Path, data: bytes) -> None:
    """Add lines, durable before returning. A torn line a killed writer left is cut off first (the
    caller holds the store's lock), so it never becomes a damaged line in the middle of the log."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        size = 0
    if size:
        with open(path, "rb") as fh:
            fh.seek(size - 1)
            torn = fh.read(1) != b"\n"
            if torn:
                fh.seek(0)
                whole = fh.read()
        if torn:
            os.truncate(path, whole.rfind(b"\n") + 1)
    append_durably(path, data)


def remove(path: Path) -> None:
    """Drop the log once both documents hold it, durably: a log coming back after later stores
    would fold stale lines over them."""
    try:
        path.unlink()
    except FileNotFoundError:
        return
    from ..publish._swap import fsync_dir

    fsync_dir(path.parent)
