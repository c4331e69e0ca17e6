"""Alert dedupe and health state: ``snapshots/alerts-state.json``.

Kept beside the snapshots (and committed with them by the scheduled job) so a
fresh checkout knows what was already announced. Deterministic JSON; written
only when something changed, so a quiet run leaves git clean::

    {
     "delivered": {"<change_id>": {"at": "...Z", "revisions": ["<new_revision>@<detected_at>", ...]}},
     "pending":   {"<change_id>": {"revisions": [...], "since": "...Z", "attempts": 1, "last_error": "..."}},
     "health":    {"status": "ok" | "failing", "fingerprint": "...", "stage": "...", "reason": "...",
                   "since": "...Z", "notified_at": "...Z" | null, "snapshot": "<id>" | null},
     "version": 1
    }

A change is identified by its ``change_id`` (a hash of its content) together
with its occurrence, the revision it was detected in and when: a change that
flaps back (GA, Preview, GA again, even to the very same page version) has the
same content hash twice, and each occurrence is an event people hear about. Pending entries hold only these ids; the change records
themselves are read back from the cumulative history
(``snapshots/changes.parquet``) when retried.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ._io import atomic_write_bytes, json_bytes
from .errors import AlertError

STATE_FILE = "alerts-state.json"
VERSION = 1


@dataclass
class AlertState:
    delivered: dict[str, dict[str, Any]] = field(default_factory=dict)
    pending: dict[str, dict[str, Any]] = field(default_factory=dict)
    health: dict[str, Any] = field(default_factory=lambda: {"status": "ok"})

    # -- changes -------------------------------------------------------
    def was_delivered(self, change_id: str, revision: str) -> bool:
        return revision in self.delivered.get(change_id, {}).get("revisions", [])

    def mark_delivered(self, keys: list[tuple[str, str]], at: str) -> None:
        for change_id, revision in keys:
            entry = self.delivered.setdefault(change_id, {"revisions": []})
            entry["at"] = at
            if revision not in entry["revisions"]:
                entry["revisions"].append(revision)
        self.drop_pending(keys)

    def mark_pending(self, keys: list[tuple[str, str]], at: str, error: str, *, attempt: bool = True) -> None:
        """``attempt=False``: held before any delivery was tried (see ``alerts.hold``)."""
        for change_id, revision in keys:
            entry = self.pending.setdefault(change_id, {"revisions": [], "since": at, "attempts": 0})
            if revision not in entry["revisions"]:
                entry["revisions"].append(revision)
        for change_id in {cid for cid, _ in keys}:
            entry = self.pending[change_id]
            entry["attempts"] = int(entry["attempts"]) + (1 if attempt else 0)
            entry["last_error"] = error

    def drop_pending(self, keys: list[tuple[str, str]]) -> None:
        """Take these off the pending list (delivered, or gone from the history and so unsendable)."""
        for change_id, revision in keys:
            waiting = self.pending.get(change_id)
            if waiting is not None:
                waiting["revisions"] = [r for r in waiting["revisions"] if r != revision]
                if not waiting["revisions"]:
                    del self.pending[change_id]

    def pending_keys(self) -> list[tuple[str, str]]:
        return sorted((cid, str(rev)) for cid, e in self.pending.items() for rev in e.get("revisions", []))

    # -- health --------------------------------------------------------
    @property
    def failing(self) -> bool:
        return self.health.get("status") == "failing"

    def to_dict(self) -> dict[str, Any]:
        return {"delivered": self.delivered, "pending": self.pending, "health": self.health, "version": VERSION}


def path(snapshots: Path) -> Path:
    return Path(snapshots) / STATE_FILE


def load(snapshots: Path) -> AlertState:
    file = path(snapshots)
    if not file.exists():
        return AlertState()
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise AlertError(f"cannot read {file}: {exc}") from exc
    if not isinstance(data, dict) or data.get("version") != VERSION or not _well_formed(data):
        raise AlertError(f"{file} is not an alert state file of version {VERSION}")
    return AlertState(
        delivered=dict(data.get("delivered") or {}),
        pending=dict(data.get("pending") or {}),
        health=dict(data.get("health") or {"status": "ok"}),
    )


def _well_formed(data: dict[str, Any]) -> bool:
    """Every part of the shape the code relies on: a file that parses but is of another shape must not
    be read as "nothing delivered, nothing pending" (that would lose or repeat alerts silently)."""
    for part in ("delivered", "pending"):
        entries = data.get(part, {})
        if not isinstance(entries, dict):
            return False
        for entry in entries.values():
            if not (isinstance(entry, dict) and isinstance(entry.get("revisions", []), list)):
                return False
    return isinstance(data.get("health", {}), dict)


def save(snapshots: Path, state: AlertState) -> bool:
    """Write the state if it differs from what is on disk; returns whether it wrote."""
    file = path(snapshots)
    if not file.exists() and state == AlertState():
        return False  # nothing to remember yet: no file (a repo without alerts stays without one)
    data = json_bytes(state.to_dict())
    if file.exists() and file.read_bytes() == data:
        return False
    atomic_write_bytes(file, data)
    return True
