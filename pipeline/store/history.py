"""The cumulative change history of a snapshot store: ``changes.parquet`` + ``changes.json`` (I/O).

A mixin of :class:`pipeline.store.snapshots.SnapshotStore`, kept apart so each file
reads in one sitting. Records are appended by occurrence key (``detected_at``,
``new_revision``, ``change_id``), so recording the same move twice (a run
finishing a killed run's move, a backfill rerun) never duplicates a change.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._io import read_dataset
from ..errors import SnapshotError

if TYPE_CHECKING:
    import pandas as pd

CHANGES = "changes"


def history_order(r: dict[str, Any]) -> tuple[tuple[bool, str], ...]:
    """The changes dataset's key order (detected_at, new_revision, change_id), nulls first."""
    return tuple((r[k] is not None, str(r[k] or "")) for k in ("detected_at", "new_revision", "change_id"))


def occurrence(record: dict[str, Any]) -> tuple[str, str, str]:
    return (str(record["detected_at"]), str(record["new_revision"]), str(record["change_id"]))


class History:
    root: Path
    _history: tuple[tuple[int, int], list[dict[str, Any]]] | None

    def _lock(self) -> contextlib.AbstractContextManager[None]:
        raise NotImplementedError

    def changes(self) -> pd.DataFrame:
        """The cumulative change history (empty, with every column, before the first change)."""
        path = self.root / f"{CHANGES}.parquet"
        if not path.exists():
            from ..diff import empty

            return empty()
        try:
            frame = read_dataset(self.root, CHANGES)
        except (OSError, ValueError) as exc:
            raise SnapshotError(f"cannot read {path}: {exc}") from exc
        from ..schema import DATASETS
        from ._shape import history_frame

        return history_frame(frame, path, DATASETS[CHANGES].names)

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

        from .._io import records
        from ..schema import DATASETS

        dataset = DATASETS[CHANGES]
        with self._lock():
            history = self._history_records()
            seen = {occurrence(r) for r in history}
            added = []
            for r in records(changes, dataset):
                if occurrence(r) not in seen:
                    seen.add(occurrence(r))
                    added.append(r)
            present = all((self.root / f"{CHANGES}.{ext}").exists() for ext in ("parquet", "json"))
            if added or not present:
                history = sorted(history + added, key=history_order)
                self._write_history(history)
        return pd.DataFrame(history, columns=dataset.names, dtype=object)

    def _history_records(self) -> list[dict[str, Any]]:
        """The history as plain records, read once per version of the file."""
        from .._io import records
        from ..schema import DATASETS

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
        from .._io import write_records

        staging = self.root / f".tmp-changes-{os.getpid()}"
        try:
            write_records(history, staging, CHANGES)
            for ext in ("parquet", "json"):
                os.replace(staging / f"{CHANGES}.{ext}", self.root / f"{CHANGES}.{ext}")
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        stat = (self.root / f"{CHANGES}.parquet").stat()
        self._history = ((stat.st_mtime_ns, stat.st_size), list(history))
