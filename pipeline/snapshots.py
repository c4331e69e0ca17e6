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

from ._io import atomic_write_bytes, json_bytes, read_dataset, write_dataset
from ._store_shape import history_frame, index_entries
from ._swap import fsync_tree
from .errors import SnapshotError

if TYPE_CHECKING:
    import pandas as pd

INDEX = "index.json"
LAST_CHECKED = "last_checked.json"
CHANGES = "changes"
LOCK = ".lock"
MIN_PREFIX = 4
QUARANTINE = "quarantine"
GOOD = "good"
QUARANTINED = "quarantined"


def _history_order(r: dict[str, Any]) -> tuple[tuple[bool, str], ...]:
    """The changes dataset's key order (detected_at, new_revision, change_id), nulls first."""
    return tuple((r[k] is not None, str(r[k] or "")) for k in ("detected_at", "new_revision", "change_id"))


def _occurrence(record: dict[str, Any]) -> tuple[str, str, str]:
    return (str(record["detected_at"]), str(record["new_revision"]), str(record["change_id"]))


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


class SnapshotStore:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self._history: tuple[tuple[int, int], list[dict[str, Any]]] | None = None

    # -- reading -------------------------------------------------------
    def entries(self) -> list[dict[str, Any]]:
        path = self.root / INDEX
        if not path.exists():
            return []
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise SnapshotError(f"cannot read {path}: {exc}") from exc
        return index_entries(data, path)

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

    def latest_good(self) -> Snapshot | None:
        """The good snapshot seen most recently: the page as it is now, even when it went back
        to an earlier version (that snapshot is stored once, and seen again)."""
        entries = [e for e in self.entries() if e.get("status", GOOD) == GOOD]
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
        for entry in self.entries():
            if entry["sha256"] == sha256:
                return self._snapshot(entry)
        return None

    def last_checked(self) -> dict[str, str]:
        path = self.root / LAST_CHECKED
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError):
            return {}  # only a convenience record: a damaged one is rebuilt by the next touch
        return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}

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

    def changes(self) -> pd.DataFrame:
        """The cumulative change history (empty, with every column, before the first change)."""
        path = self.root / f"{CHANGES}.parquet"
        if not path.exists():
            from .diff import empty

            return empty()
        try:
            frame = read_dataset(self.root, CHANGES)
        except (OSError, ValueError) as exc:
            raise SnapshotError(f"cannot read {path}: {exc}") from exc
        from .schema import DATASETS

        return history_frame(frame, path, DATASETS[CHANGES].names)

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
        """Add one snapshot (no-op when the same sha256 is already stored, except that a
        quarantined page stored again as good, e.g. with ``--force``, moves out of quarantine)."""
        with self._lock():
            existing = self.find(meta["sha256"])
            if existing is not None:
                if status == GOOD and existing.status == QUARANTINED:
                    existing = self._release(existing, validation)
                self._touch(existing.id, str(meta.get("fetched_at", "")))
                return existing
            return self._write(page=page, meta=meta, frames=frames, validation=validation, status=status)

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
                shutil.rmtree(final)  # a leftover from an index write that never happened
            fsync_tree(tmp)  # on disk before the rename, and before the index names it
            os.replace(tmp, final)
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)
        self._write_index([e for e in self.entries() if e["sha256"] != sha] + [entry])
        self._touch(ident, str(meta.get("fetched_at", "")))
        return self._snapshot(entry)

    def _write_index(self, entries: list[dict[str, Any]]) -> None:
        entries.sort(key=lambda e: (str(e.get("fetched_at", "")), e["id"]))
        atomic_write_bytes(self.root / INDEX, json_bytes({"snapshots": entries}))

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
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / LOCK, "a+b") as fh:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)

    def touch(self, ident: str, checked_at: str) -> None:
        """Record that the page was seen again (same sha256, or a 304)."""
        with self._lock():
            self._touch(ident, checked_at)

    def _touch(self, ident: str, checked_at: str) -> None:
        checked = self.last_checked()
        # the latest sighting wins, also when an older revision is stored again (a backfill)
        checked[ident] = max(checked.get(ident, ""), checked_at)
        atomic_write_bytes(self.root / LAST_CHECKED, json_bytes(checked))

    def append_changes(self, changes: pd.DataFrame) -> pd.DataFrame:
        """Add ``changes`` to the cumulative history and return the whole history.

        A change already recorded with the same occurrence (``change_id``, new revision and
        ``detected_at``: the dataset's key) is not added twice, so replaying a revision (a
        backfill rerun) cannot duplicate its changes, while a page that flaps back to an
        earlier version later records the change again.
        Both files are replaced atomically (Parquet first, then JSON); with nothing
        new and both files present, nothing is written.
        """
        import pandas as pd

        from ._io import records
        from .schema import DATASETS

        dataset = DATASETS[CHANGES]
        with self._lock():
            history = self._history_records()
            seen = {_occurrence(r) for r in history}
            added = []
            for r in records(changes, dataset):
                if _occurrence(r) not in seen:
                    seen.add(_occurrence(r))
                    added.append(r)
            present = all((self.root / f"{CHANGES}.{ext}").exists() for ext in ("parquet", "json"))
            if added or not present:
                history = sorted(history + added, key=_history_order)
                self._write_history(history)
        return pd.DataFrame(history, columns=dataset.names, dtype=object)

    def _history_records(self) -> list[dict[str, Any]]:
        """The history as plain records, read once per version of the file."""
        from ._io import records
        from .schema import DATASETS

        path = self.root / f"{CHANGES}.parquet"
        try:
            stat = path.stat()
        except FileNotFoundError:
            return []
        stamp = (stat.st_mtime_ns, stat.st_size)
        if self._history is None or self._history[0] != stamp:
            self._history = (stamp, records(self.changes(), DATASETS[CHANGES]))
        return list(self._history[1])

    def _write_history(self, history: list[dict[str, Any]]) -> None:
        """Both files from records already in key order, with the dataset writers' pinned settings."""
        from ._io import write_records

        staging = self.root / f".tmp-changes-{os.getpid()}"
        try:
            write_records(history, staging, CHANGES)
            for ext in ("parquet", "json"):
                os.replace(staging / f"{CHANGES}.{ext}", self.root / f"{CHANGES}.{ext}")
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        stat = (self.root / f"{CHANGES}.parquet").stat()
        self._history = ((stat.st_mtime_ns, stat.st_size), list(history))
