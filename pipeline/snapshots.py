"""The snapshot store: every distinct page version once, content-addressed, append-only.

Layout::

    snapshots/
      index.json                 one entry per snapshot, oldest first (deterministic JSON)
      last_checked.json          when each snapshot was last seen (kept apart so the
                                 index only changes when the page does)
      <id>/                      id = first 16 hex chars of the page's sha256
        page.html.gz             the raw page, gzip with mtime 0 (byte-stable)
        meta.json                provenance: source, fetched_at, validators, commit, ms.date
        validation.json          the validation result (when validated)
        datasets/<name>.parquet  the datasets built from it
      quarantine/<id>/           the same, for pages that failed validation

A snapshot folder is written under a temporary name and renamed into place,
so a crash mid-write leaves no partial snapshot.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._io import atomic_write_bytes, json_bytes, read_dataset, write_dataset
from .errors import SnapshotError

if TYPE_CHECKING:
    import pandas as pd

INDEX = "index.json"
LAST_CHECKED = "last_checked.json"
QUARANTINE = "quarantine"
GOOD = "good"
QUARANTINED = "quarantined"


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
        return gzip.decompress((self.path / "page.html.gz").read_bytes())

    def frames(self) -> dict[str, pd.DataFrame]:
        folder = self.path / "datasets"
        return {p.stem: read_dataset(folder, p.stem) for p in sorted(folder.glob("*.parquet"))}

    def validation(self) -> dict[str, Any] | None:
        path = self.path / "validation.json"
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


class SnapshotStore:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    # -- reading -------------------------------------------------------
    def entries(self) -> list[dict[str, Any]]:
        path = self.root / INDEX
        if not path.exists():
            return []
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise SnapshotError(f"cannot read {path}: {exc}") from exc
        return list(data.get("snapshots", []))

    def get(self, ident: str) -> Snapshot:
        for entry in self.entries():
            if entry["id"] == ident or entry["sha256"].startswith(ident):
                return self._snapshot(entry)
        raise SnapshotError(f"no snapshot {ident!r} in {self.root}")

    def _snapshot(self, entry: dict[str, Any]) -> Snapshot:
        base = self.root / QUARANTINE if entry.get("status") == QUARANTINED else self.root
        path = base / entry["id"]
        if not (path / "page.html.gz").exists():
            raise SnapshotError(f"snapshot {entry['id']} is listed in {INDEX} but its folder is missing")
        return Snapshot(entry["id"], path, entry)

    def good(self) -> list[Snapshot]:
        return [self._snapshot(e) for e in self.entries() if e.get("status", GOOD) == GOOD]

    def latest_good(self) -> Snapshot | None:
        good = self.good()
        return good[-1] if good else None

    def find(self, sha256: str) -> Snapshot | None:
        for entry in self.entries():
            if entry["sha256"] == sha256:
                return self._snapshot(entry)
        return None

    def last_checked(self) -> dict[str, str]:
        path = self.root / LAST_CHECKED
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}

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
        """Add one snapshot (no-op when the same sha256 is already stored)."""
        sha = meta["sha256"]
        existing = self.find(sha)
        if existing is not None:
            return existing
        ident = snapshot_id(sha)
        entry = {**meta, "id": ident, "status": status}
        if validation is not None:
            entry["validation"] = {
                "success": bool(validation.get("success")),
                "failed": list(validation.get("failed", [])),
            }
        base = self.root / QUARANTINE if status == QUARANTINED else self.root
        final = base / ident
        tmp = self.root / f".tmp-{ident}-{os.getpid()}"
        if tmp.exists():
            shutil.rmtree(tmp)
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
            os.replace(tmp, final)
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)
        entries = [e for e in self.entries() if e["sha256"] != sha] + [entry]
        entries.sort(key=lambda e: (str(e.get("fetched_at", "")), e["id"]))
        atomic_write_bytes(self.root / INDEX, json_bytes({"snapshots": entries}))
        self.touch(ident, str(meta.get("fetched_at", "")))
        return self._snapshot(entry)

    def touch(self, ident: str, checked_at: str) -> None:
        """Record that the page was seen again (same sha256, or a 304)."""
        checked = self.last_checked()
        checked[ident] = checked_at
        atomic_write_bytes(self.root / LAST_CHECKED, json_bytes(checked))
