"""The snapshot store: every distinct page version once, content-addressed, append-only.

Layout::

    snapshots/
      index.json                 one entry per snapshot, oldest first (deterministic JSON)
      last_checked.json          when each snapshot was last seen (kept apart so the
                                 index only changes when the page does)
      index.log                  listings and sightings since both were last written whole
                                 (appended, so a store costs the same in a store of any
                                 size; ``pipeline.store._indexlog``)
      changes.parquet            the cumulative change history (``changes`` schema)
      changes.json               the same, as JSON
      <id>/                      id = first 16 hex chars of the page's sha256
        page.html.gz             the raw page, gzip with mtime 0 (byte-stable)
        meta.json                provenance: source, fetched_at, validators, commit, ms.date
        validation.json          the validation result (when validated)
        datasets/<name>.parquet  the datasets built from it
      quarantine/<id>/           the same, for pages that failed validation

A snapshot folder is written under a temporary name and renamed into place,
and only then listed (a line in the log, fsynced), so a crash mid-write leaves no partial
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
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._io import atomic_write_bytes, json_bytes, read_dataset
from ..errors import SnapshotError
from ..publish._swap import fsync_dir
from . import _indexlog
from ._folder import entry as folder_entry
from ._folder import stage
from ._index import INDEX, Index, order
from .history import History

if TYPE_CHECKING:
    import pandas as pd

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


class SnapshotStore(History, Index):
    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self._history: tuple[tuple[int, int], list[dict[str, Any]]] | None = None
        self._locks = 0
        self._init_index()

    # -- reading (entries, find, last_checked: pipeline.store._index) ----
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
        newest = max(entries, key=lambda e: (_seen_at(e["id"], e, checked), position[e["id"]]))
        return self._snapshot(newest)

    def last_seen(self, snapshot: Snapshot) -> str:
        """When the page was last seen as this snapshot: its latest sighting, else when it was fetched."""
        return _seen_at(snapshot.id, snapshot.meta, self.last_checked())

    def find(self, sha256: str) -> Snapshot | None:
        self._load()  # (re)reads the index when it changed on disk
        entry = self._by_sha.get(sha256)
        return self._snapshot(entry) if entry is not None else None

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
            lines = []
            if listed is None:
                entry = dict(snapshot.meta)
                self._list(entry)
                lines.append(_indexlog.entry_line(entry))
                listed = self._snapshot(entry)
            elif status == GOOD and listed.status == QUARANTINED:
                listed = self._release(listed, validation)
                lines.append(_indexlog.entry_line(dict(listed.meta)))
            elif status == QUARANTINED and listed.status == GOOD:
                # a page stored as good failing validation now (today's rules) moves nothing: a sighting
                # would make it the page seen last, and the next run would diff from it (found by an attack)
                return listed
            self._see(listed.id, checked_at)
            self._record([*lines, _indexlog.seen_line(listed.id, checked_at)], listings=bool(lines))
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
        if not self._deferred:  # a batch sweeps once, as it starts: backfill's workers stage meanwhile
            self._sweep()
        ident = snapshot_id(meta["sha256"])
        path, entry = stage(self.root, ident, page=page, meta=meta, frames=frames, validation=validation, status=status)
        return self.place(Snapshot(ident, path, entry))

    def place(self, staged: Snapshot) -> Snapshot:
        """Put a staged folder (``pipeline.store._folder``) in place, unlisted, as :meth:`prepare` does;
        a page already listed keeps its folder and the staged one is dropped."""
        with self._lock():
            existing = self.find(staged.sha256)
            if existing is not None:
                shutil.rmtree(staged.path, ignore_errors=True)
                return existing
            base = self.root / QUARANTINE if staged.status == QUARANTINED else self.root
            final = base / staged.id
            try:
                base.mkdir(parents=True, exist_ok=True)
                if final.exists():
                    shutil.rmtree(final)  # a leftover from a commit that never happened
                os.replace(staged.path, final)
                if not self._deferred:  # a batch makes its renames durable once, before it lists them
                    fsync_dir(base)
            except OSError as exc:
                shutil.rmtree(staged.path, ignore_errors=True)
                raise SnapshotError(f"cannot write snapshot {staged.id} in {self.root}: {exc.strerror or exc}") from exc
            return Snapshot(staged.id, final, staged.meta)

    def _release(self, snapshot: Snapshot, validation: dict[str, Any] | None) -> Snapshot:
        """Move a quarantined snapshot to the good ones (the folder first, then the index)."""
        entry = {**snapshot.meta, "status": GOOD}
        if validation is not None:
            entry = folder_entry(snapshot.meta, snapshot.id, validation, GOOD)
            atomic_write_bytes(snapshot.path / "validation.json", json_bytes(validation))
        atomic_write_bytes(snapshot.path / "meta.json", json_bytes(entry))
        final = self.root / snapshot.id
        if final.exists():
            shutil.rmtree(final)
        os.replace(snapshot.path, final)
        fsync_dir(self.root)
        rows = self._load()
        rows[:] = [entry if e["id"] == snapshot.id else e for e in rows]
        rows.sort(key=order)
        self._by_sha[entry["sha256"]] = entry
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
            self._see(ident, checked_at)
            self._record([_indexlog.seen_line(ident, checked_at)], listings=False)

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        """Store and touch many snapshots with one write of index.json and last_checked.json, at the
        end (backfill). Snapshot folders are still written as they come; until the block ends the
        index does not list them, which is the same state as a crash between folder and index."""
        with self._lock():
            if not self._deferred:
                self._sweep()
            self._deferred += 1
            try:
                yield
            finally:
                self._deferred -= 1
                if not self._deferred and self._dirty:
                    for base in (self.root, self.root / QUARANTINE):  # the folders' renames, before listing
                        if base.is_dir():
                            fsync_dir(base)
                    self._compact()
                    self._stamps = self._stat()


def _seen_at(ident: str, entry: Mapping[str, Any], checked: Mapping[str, str]) -> str:
    return max(checked.get(ident, ""), str(entry.get("fetched_at") or ""))
