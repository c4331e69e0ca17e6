"""The snapshot store: every distinct page version once, content-addressed, append-only.

Layout::

    snapshots/
      index.json                 one entry per snapshot, oldest first (deterministic JSON)
      last_checked.json          when each snapshot was last seen (kept apart so the
                                 index only changes when the page does)
      changes.parquet            the cumulative change history (``changes`` schema)
      changes.json               the same, as JSON
      <id>/                      id = first 16 hex chars of the page's sha256
        page.html.gz             the raw page, gzip with mtime 0 (byte-stable)
        meta.json                provenance: source, fetched_at, validators, commit, ms.date
        validation.json          the validation result (when validated)
        datasets/<name>.parquet  the datasets built from it
      quarantine/<id>/           the same, for pages that failed validation

A snapshot folder is written under a temporary name and renamed into place,
and only then listed in the index, so a crash mid-write leaves no partial
snapshot (at worst an unlisted folder, replaced by the next store of that
page). Writers hold an exclusive lock on ``.lock`` so two runs cannot
interleave their index updates.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import gzip
import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._io import atomic_write_bytes, json_bytes, read_dataset, write_dataset
from ..errors import SnapshotError
from ..publish._swap import fsync_tree
from . import _jsondoc
from ._shape import index_entries
from .history import History

if TYPE_CHECKING:
    import pandas as pd

INDEX = "index.json"
LAST_CHECKED = "last_checked.json"
LOCK = ".lock"
MIN_PREFIX = 4
QUARANTINE = "quarantine"
GOOD = "good"
QUARANTINED = "quarantined"
# provenances of snapshots that are not what the authors published: the shipped sample page was
# reconstructed by hand from the product owner's partial capture (README, "How the shipped snapshot was made")
NOT_A_BASELINE = ("reconstructed",)


def authored(meta: dict[str, Any]) -> bool:
    """Is this snapshot the authors' page (fetched, a file of it, or rendered from its source)?"""
    return meta.get("provenance") not in NOT_A_BASELINE


def snapshot_id(sha256: str) -> str:
    return sha256[:16]


def _stamp(path: Path) -> object:
    """What tells two versions of a file apart cheaply (None: no file)."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise SnapshotError(f"cannot read {path}: {exc.strerror or exc}") from exc
    return (st.st_ino, st.st_mtime_ns, st.st_size)


def _order(entry: dict[str, Any]) -> tuple[str, str]:
    """The index's order: by fetch (or commit) time, then id."""
    return (str(entry.get("fetched_at", "")), entry["id"])


@dataclass(frozen=True)
class Snapshot:
    id: str
    path: Path
    meta: dict[str, Any]

    @property
    def status(self) -> str:
        return str(self.meta.get("status", GOOD))

    @property
    def sha256(self) -> str:
        return str(self.meta["sha256"])

    def page_bytes(self) -> bytes:
        try:
            return gzip.decompress((self.path / "page.html.gz").read_bytes())
        except (OSError, EOFError) as exc:  # gzip.BadGzipFile is an OSError
            raise SnapshotError(f"snapshot {self.id}: page.html.gz is unreadable ({exc})") from exc

    def frames(self) -> dict[str, pd.DataFrame]:
        """The stored datasets (read once per Snapshot object: a run consults them several times)."""
        return dict(self._frames)

    @functools.cached_property
    def _frames(self) -> dict[str, pd.DataFrame]:
        folder = self.path / "datasets"
        try:
            return {p.stem: read_dataset(folder, p.stem) for p in sorted(folder.glob("*.parquet"))}
        except Exception as exc:  # pyarrow raises its own error types for a damaged file
            raise SnapshotError(f"snapshot {self.id}: a dataset is unreadable ({type(exc).__name__})") from exc

    def validation(self) -> dict[str, Any] | None:
        path = self.path / "validation.json"
        try:
            return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None
        except (OSError, ValueError) as exc:
            raise SnapshotError(f"snapshot {self.id}: validation.json is unreadable ({exc})") from exc


class SnapshotStore(History):
    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self._history: tuple[tuple[int, int], list[dict[str, Any]]] | None = None
        # index.json and last_checked.json as last read or written, keyed by the file's stat, so a
        # run parses each once however often it asks; inside batch() they are written once, at the end
        self._index: tuple[object, list[dict[str, Any]]] | None = None
        self._checked: tuple[object, dict[str, str]] | None = None
        self._deferred = 0
        self._dirty: set[str] = set()
        self._locks = 0
        self._index_doc, self._checked_doc = _jsondoc.Rows("snapshots"), _jsondoc.Mapping()
        self._by_sha: tuple[list[dict[str, Any]], dict[str, dict[str, Any]]] | None = None

    # -- reading -------------------------------------------------------
    def entries(self) -> list[dict[str, Any]]:
        if self._index is not None and (self._deferred or self._index[0] == _stamp(self.root / INDEX)):
            return list(self._index[1])
        path = self.root / INDEX
        stamp = _stamp(path)
        if stamp is None:
            return []
        try:
            data = self._index_doc.loads(path.read_bytes())
        except (OSError, ValueError) as exc:
            raise SnapshotError(f"cannot read {path}: {exc}") from exc
        entries = index_entries(data, path)
        self._index = (stamp, entries)
        return list(entries)

    def get(self, ident: str) -> Snapshot:
        """The snapshot whose id or sha256 starts with ``ident`` (at least 4 hex characters)."""
        ident = ident.strip().lower()
        entries = self.entries()
        exact = [e for e in entries if e["id"] == ident or e["sha256"] == ident]
        if exact:
            return self._snapshot(exact[0])
        if len(ident) < MIN_PREFIX:
            raise SnapshotError(f"snapshot id {ident!r} is too short: give at least {MIN_PREFIX} characters")
        found = [e for e in entries if e["sha256"].startswith(ident)]
        if len(found) > 1:
            ids = ", ".join(e["id"] for e in found)
            raise SnapshotError(f"snapshot id {ident!r} is ambiguous in {self.root}: {ids}")
        if not found:
            raise SnapshotError(f"no snapshot {ident!r} in {self.root}")
        return self._snapshot(found[0])

    def _snapshot(self, entry: dict[str, Any]) -> Snapshot:
        base = self.root / QUARANTINE if entry.get("status") == QUARANTINED else self.root
        path = base / entry["id"]
        if not (path / "page.html.gz").exists():
            raise SnapshotError(f"snapshot {entry['id']} is listed in {INDEX} but its folder is missing")
        return Snapshot(entry["id"], path, entry)

    def good(self) -> list[Snapshot]:
        return [self._snapshot(e) for e in self.entries() if e.get("status", GOOD) == GOOD]

    def baseline(self) -> Snapshot | None:
        """What changes are diffed against (and drift measured from): the newest authored good snapshot."""
        return self.latest_good(authored_only=True)

    def latest_good(self, *, authored_only: bool = False) -> Snapshot | None:
        """The good snapshot seen most recently: the page as it is now, even when it went back
        to an earlier version (that snapshot is stored once, and seen again)."""
        entries = [e for e in self.entries() if e.get("status", GOOD) == GOOD and (authored(e) or not authored_only)]
        if not entries:
            return None
        checked = self.last_checked()
        position = {e["id"]: i for i, e in enumerate(entries)}
        newest = max(
            entries,
            key=lambda e: (max(checked.get(e["id"], ""), str(e.get("fetched_at") or "")), position[e["id"]]),
        )
        return self._snapshot(newest)

    def find(self, sha256: str) -> Snapshot | None:
        self.entries()  # (re)reads index.json when it changed on disk
        assert self._index is not None or not (self.root / INDEX).exists()
        rows = self._index[1] if self._index is not None else []
        if self._by_sha is None or self._by_sha[0] is not rows:
            self._by_sha = (rows, {e["sha256"]: e for e in rows})
        entry = self._by_sha[1].get(sha256)
        return self._snapshot(entry) if entry is not None else None

    def last_checked(self) -> dict[str, str]:
        path = self.root / LAST_CHECKED
        if self._checked is not None and (self._deferred or self._checked[0] == _stamp(path)):
            return dict(self._checked[1])
        stamp = _stamp(path)
        try:
            data = json.loads(path.read_bytes()) if stamp is not None else {}
        except (OSError, ValueError):
            data = {}  # only a convenience record: a damaged one is rebuilt by the next touch
        checked = {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}
        self._checked = (stamp, checked)
        return dict(checked)

    def listing(self) -> list[dict[str, Any]]:
        """One row per snapshot, oldest first: what ``python -m pipeline snapshots`` shows."""
        checked = self.last_checked()
        out = []
        for e in self.entries():
            validation = e.get("validation") or {}
            out.append(
                {
                    "id": e["id"],
                    "fetched_at": e.get("fetched_at"),
                    "ms_date": e.get("ms_date"),
                    "git_commit_id": e.get("git_commit_id"),
                    "provenance": e.get("provenance"),
                    "status": e.get("status", GOOD),
                    "failed": list(validation.get("failed", [])),
                    "last_checked": checked.get(e["id"], e.get("fetched_at")),
                }
            )
        return out

    # -- writing -------------------------------------------------------
    def store(
        self,
        *,
        page: bytes,
        meta: dict[str, Any],
        frames: dict[str, pd.DataFrame],
        validation: dict[str, Any] | None = None,
        status: str = GOOD,
    ) -> Snapshot:
        """Add one snapshot and list it (no-op when the same sha256 is already stored, except that a
        quarantined page stored again as good, e.g. with ``--force``, moves out of quarantine)."""
        with self._lock():
            staged = self.prepare(page=page, meta=meta, frames=frames, validation=validation, status=status)
            return self.commit(staged, checked_at=str(meta.get("fetched_at", "")), validation=validation, status=status)

    def prepare(
        self,
        *,
        page: bytes,
        meta: dict[str, Any],
        frames: dict[str, pd.DataFrame],
        validation: dict[str, Any] | None = None,
        status: str = GOOD,
    ) -> Snapshot:
        """Write the snapshot's folder, durable, without listing it: the first half of a store.

        Until :meth:`commit` lists it, the snapshot is no baseline and no ``latest_good``: ``run``
        records the changes it brings in between (write-ahead). A page already stored is not
        written again; its listed snapshot is returned."""
        with self._lock():
            existing = self.find(meta["sha256"])
            if existing is not None:
                return existing
            return self._write(page=page, meta=meta, frames=frames, validation=validation, status=status)

    def commit(
        self,
        snapshot: Snapshot,
        *,
        checked_at: str,
        validation: dict[str, Any] | None = None,
        status: str = GOOD,
    ) -> Snapshot:
        """List a prepared snapshot in the index (or release it from quarantine when it is listed there
        and prepared as good), and record the sighting: from here on it can be the baseline."""
        with self._lock():
            listed = self.find(snapshot.sha256)
            if listed is None:
                self._write_index([*self.entries(), dict(snapshot.meta)], appended=True)
                listed = self._snapshot(dict(snapshot.meta))
            elif status == GOOD and listed.status == QUARANTINED:
                listed = self._release(listed, validation)
            self._touch(listed.id, checked_at)
            return listed

    def unlisted(self, ident: str) -> Snapshot | None:
        """A prepared snapshot that no commit listed yet (a run killed in between), by id."""
        for base in (self.root, self.root / QUARANTINE):
            meta_file = base / ident / "meta.json"
            if meta_file.is_file() and (base / ident / "page.html.gz").is_file():
                try:
                    meta = json.loads(meta_file.read_bytes())
                except (OSError, ValueError) as exc:
                    raise SnapshotError(f"snapshot {ident}: meta.json is unreadable ({exc})") from exc
                return Snapshot(ident, base / ident, meta)
        return None

    def _write(
        self,
        *,
        page: bytes,
        meta: dict[str, Any],
        frames: dict[str, pd.DataFrame],
        validation: dict[str, Any] | None,
        status: str,
    ) -> Snapshot:
        sha = meta["sha256"]
        ident = snapshot_id(sha)
        entry = {**meta, "id": ident, "status": status}
        if validation is not None:
            entry["validation"] = {
                "success": bool(validation.get("success")),
                "failed": list(validation.get("failed", [])),
            }
        base = self.root / QUARANTINE if status == QUARANTINED else self.root
        final = base / ident
        self._sweep()
        tmp = self.root / f".tmp-{ident}-{os.getpid()}"
        try:
            (tmp / "datasets").mkdir(parents=True)
            (tmp / "page.html.gz").write_bytes(gzip.compress(page, compresslevel=9, mtime=0))
            (tmp / "meta.json").write_bytes(json_bytes(entry))
            if validation is not None:
                (tmp / "validation.json").write_bytes(json_bytes(validation))
            for name, frame in sorted(frames.items()):
                write_dataset(frame, tmp / "datasets", name, formats=("parquet",))
            base.mkdir(parents=True, exist_ok=True)
            if final.exists():
                shutil.rmtree(final)  # a leftover from a commit that never happened
            fsync_tree(tmp)  # on disk before the rename, and before the index names it
            os.replace(tmp, final)
        except OSError as exc:
            raise SnapshotError(f"cannot write snapshot {ident} in {self.root}: {exc.strerror or exc}") from exc
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)
        return Snapshot(ident, final, entry)

    def _write_index(self, entries: list[dict[str, Any]], *, appended: bool = False) -> None:
        """``appended``: the entries were in order before their last one was added (a store: the
        common case costs one comparison instead of a sort)."""
        if not (appended and (len(entries) < 2 or _order(entries[-2]) <= _order(entries[-1]))):
            entries.sort(key=_order)
        self._index = (None, entries)
        if self._deferred:
            self._dirty.add(INDEX)
            return
        atomic_write_bytes(self.root / INDEX, self._index_doc.dumps(entries))
        self._index = (_stamp(self.root / INDEX), entries)

    def _release(self, snapshot: Snapshot, validation: dict[str, Any] | None) -> Snapshot:
        """Move a quarantined snapshot to the good ones (the folder first, then the index)."""
        entry = {**snapshot.meta, "status": GOOD}
        if validation is not None:
            entry["validation"] = {
                "success": bool(validation.get("success")),
                "failed": list(validation.get("failed", [])),
            }
            atomic_write_bytes(snapshot.path / "validation.json", json_bytes(validation))
        atomic_write_bytes(snapshot.path / "meta.json", json_bytes(entry))
        final = self.root / snapshot.id
        if final.exists():
            shutil.rmtree(final)
        os.replace(snapshot.path, final)
        self._write_index([entry if e["id"] == snapshot.id else e for e in self.entries()])
        return self._snapshot(entry)

    def _sweep(self) -> None:
        """Remove temporary folders left by a writer that was killed (we hold the lock)."""
        for stale in self.root.glob(".tmp-*"):
            shutil.rmtree(stale, ignore_errors=True)

    @contextlib.contextmanager
    def _lock(self) -> Iterator[None]:
        if self._locks:  # re-entrant: flock on a second descriptor would wait for ourselves
            self._locks += 1
            try:
                yield
            finally:
                self._locks -= 1
            return
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            fh = open(self.root / LOCK, "a+b")  # noqa: SIM115 (held across the yield)
        except OSError as exc:
            raise SnapshotError(f"cannot write to {self.root}: {exc.strerror or exc}") from exc
        with fh:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
            self._locks = 1
            try:
                yield
            finally:
                self._locks = 0
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)

    def touch(self, ident: str, checked_at: str) -> None:
        """Record that the page was seen again (same sha256, or a 304)."""
        with self._lock():
            self._touch(ident, checked_at)

    def _touch(self, ident: str, checked_at: str) -> None:
        checked = self.last_checked()
        # the latest sighting wins, also when an older revision is stored again (a backfill)
        checked[ident] = max(checked.get(ident, ""), checked_at)
        self._checked = (None, checked)
        if self._deferred:
            self._dirty.add(LAST_CHECKED)
            return
        atomic_write_bytes(self.root / LAST_CHECKED, self._checked_doc.dumps(checked))
        self._checked = (_stamp(self.root / LAST_CHECKED), checked)

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        """Store and touch many snapshots with one write of index.json and last_checked.json, at the
        end (backfill). Snapshot folders are still written as they come; until the block ends the
        index does not list them, which is the same state as a crash between folder and index."""
        with self._lock():
            self._deferred += 1
            try:
                yield
            finally:
                self._deferred -= 1
                if not self._deferred:
                    self._flush()

    def _flush(self) -> None:
        if INDEX in self._dirty and self._index is not None:
            self._write_index(list(self._index[1]))
        if LAST_CHECKED in self._dirty and self._checked is not None:
            atomic_write_bytes(self.root / LAST_CHECKED, self._checked_doc.dumps(self._checked[1]))
            self._checked = (_stamp(self.root / LAST_CHECKED), self._checked[1])
        self._dirty.clear()
