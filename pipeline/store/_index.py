"""The store's index in memory: ``index.json``, ``last_checked.json`` and ``index.log`` folded (I/O).

A mixin of :class:`pipeline.store.snapshots.SnapshotStore`, kept apart so each
file reads in one sitting. The three files are read once per version of them
(keyed by their stats), and every change is made in memory first, then made
durable by :meth:`Index._record`: a line appended to the log, or both documents
written whole (``pipeline.store._indexlog`` says when). Inside ``batch()``
nothing is written until the batch ends.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .._io import atomic_write_bytes
from ..errors import SnapshotError
from . import _indexlog, _jsondoc
from ._shape import index_entries

INDEX = "index.json"
LAST_CHECKED = "last_checked.json"
LOG = _indexlog.LOG


def _stamp(path: Path) -> object:
    """What tells two versions of a file apart cheaply (None: no file)."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise SnapshotError(f"cannot read {path}: {exc.strerror or exc}") from exc
    return (st.st_ino, st.st_mtime_ns, st.st_size)


def order(entry: dict[str, Any]) -> tuple[str, str]:
    """The index's order: by fetch (or commit) time, then id."""
    return (str(entry.get("fetched_at", "")), entry["id"])


class Index:
    root: Path

    def _init_index(self) -> None:
        # index.json, last_checked.json and index.log folded, as last read or written, with the files'
        # stats: a run reads each once however often it asks; inside batch() nothing is written until the end
        self._stamps: object = None
        self._rows: list[dict[str, Any]] | None = None
        self._by_sha: dict[str, dict[str, Any]] = {}
        self._checked: dict[str, str] = {}
        self._logged = 0  # lines in index.log
        self._dirty: set[str] = set()  # the documents behind the log (or, in a batch, behind memory)
        self._deferred = 0
        self._index_doc, self._checked_doc = _jsondoc.Rows("snapshots"), _jsondoc.Mapping()

    def entries(self) -> list[dict[str, Any]]:
        return list(self._load())

    def _load(self) -> list[dict[str, Any]]:
        """The index entries, oldest first (the store's own list: callers copy it)."""
        if self._rows is not None and (self._deferred or self._stamps == self._stat()):
            return self._rows
        stamps = self._stat()
        entries = self._read_index(self.root / INDEX) if stamps[0] is not None else []
        checked = self._read_checked(self.root / LAST_CHECKED) if stamps[1] is not None else {}
        rows = _indexlog.read(self.root / LOG) if stamps[2] is not None else []
        listings, sightings = _indexlog.fold(entries, checked, rows)
        if listings:
            entries.sort(key=order)
        self._rows, self._checked, self._logged = entries, checked, len(rows)
        self._by_sha = {e["sha256"]: e for e in entries}
        self._dirty = {INDEX} if listings else set()
        self._dirty |= {LAST_CHECKED} if sightings else set()
        self._stamps = stamps
        return entries

    def _stat(self) -> tuple[object, object, object]:
        return (_stamp(self.root / INDEX), _stamp(self.root / LAST_CHECKED), _stamp(self.root / LOG))

    def _read_index(self, path: Path) -> list[dict[str, Any]]:
        try:
            data = self._index_doc.loads(path.read_bytes())
        except (OSError, ValueError) as exc:
            raise SnapshotError(f"cannot read {path}: {exc}") from exc
        return index_entries(data, path)

    @staticmethod
    def _read_checked(path: Path) -> dict[str, str]:
        try:
            data = json.loads(path.read_bytes())
        except (OSError, ValueError):
            return {}  # only a convenience record: a damaged one is rebuilt by the next touch
        return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}

    def last_checked(self) -> dict[str, str]:
        try:
            self._load()
        except SnapshotError:  # a damaged index: the sightings as last written whole still say something
            return self._read_checked(self.root / LAST_CHECKED)
        return dict(self._checked)

    def _list(self, entry: dict[str, Any]) -> None:
        """Add an entry to the index in memory (kept in order: a store usually appends the newest)."""
        rows = self._load()
        rows.append(entry)
        if len(rows) > 1 and order(rows[-2]) > order(entry):
            rows.sort(key=order)
        self._by_sha[entry["sha256"]] = entry

    def _record(self, lines: list[bytes], *, listings: bool) -> None:
        """Make what changed in memory durable: the lines appended to the log, or both documents
        written whole (a small store, a log long enough to fold, the end of a batch)."""
        self._dirty |= {INDEX, LAST_CHECKED} if listings else {LAST_CHECKED}
        if self._deferred:
            return
        if (self._logged + len(lines)) * _indexlog.RATIO < len(self._load()):
            _indexlog.append(self.root / LOG, b"".join(lines))
            self._logged += len(lines)
        else:
            self._compact()
        self._stamps = self._stat()

    def _compact(self) -> None:
        """The documents behind the log (or memory) written whole, then the log removed."""
        rows = self._load()
        if INDEX in self._dirty:
            atomic_write_bytes(self.root / INDEX, self._index_doc.dumps(rows))
        if LAST_CHECKED in self._dirty:
            atomic_write_bytes(self.root / LAST_CHECKED, self._checked_doc.dumps(self._checked))
        _indexlog.remove(self.root / LOG)
        self._dirty.clear()
        self._logged = 0

    def _see(self, ident: str, checked_at: str) -> None:
        self._load()
        # the latest sighting wins, also when an older revision is stored again (a backfill)
        self._checked[ident] = max(self._checked.get(ident, ""), checked_at)
