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

The file is part of the snapshot store: one that cannot be read, or whose shape is not the one
above (a list, a ``pending`` entry without its revisions, an unknown health status, ...), is a
:class:`~pipeline.errors.SnapshotError` (exit 6) naming the file and what is wrong, raised before a
run stores or publishes anything, never a crash halfway through.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .._io import atomic_write_bytes, json_bytes
from ..errors import SnapshotError

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
        raise SnapshotError(f"cannot read {file}: {' '.join(str(exc).split())}") from exc
    if not isinstance(data, dict) or data.get("version") != VERSION:
        raise SnapshotError(f"{file} is not an alert state file of version {VERSION}")
    problem = shape_problem(data)
    if problem:
        raise SnapshotError(f"{file} has the wrong shape: {problem}")
    return AlertState(
        delivered=dict(data.get("delivered") or {}),
        pending=dict(data.get("pending") or {}),
        health=dict(data.get("health") or {"status": "ok"}),
    )


def shape_problem(data: dict[str, Any]) -> str | None:
    """What in a parsed state file differs from the documented shape (the first thing found), or None."""
    for part, required in (("delivered", {"revisions": list}), ("pending", {"revisions": list, "attempts": int})):
        entries = data.get(part)
        entries = {} if entries is None else entries
        if not isinstance(entries, dict):
            return f"{part!r} is a {type(entries).__name__}, not an object of change ids"
        for change_id, entry in entries.items():
            if not isinstance(entry, dict):
                return f"{part}[{change_id!r}] is a {type(entry).__name__}, not an object"
            for key, kind in required.items():
                value = entry.get(key)
                if not isinstance(value, kind) or isinstance(value, bool):
                    return f"{part}[{change_id!r}].{key} is missing or not a {kind.__name__}"
            if not all(isinstance(r, str) for r in entry["revisions"]):
                return f"{part}[{change_id!r}].revisions holds something other than text"
    health = data.get("health")
    health = {"status": "ok"} if health is None else health
    if not isinstance(health, dict):
        return f"'health' is a {type(health).__name__}, not an object"
    if health.get("status") not in ("ok", "failing"):
        return f"health.status is {health.get('status')!r}, not 'ok' or 'failing'"
    if not isinstance(health.get("announced", []), list):
        return "health.announced is not a list"
    return None


def save(snapshots: Path, state: AlertState) -> bool:
    """Write the state if it differs from what is on disk; returns whether it wrote."""
    file = path(snapshots)
    if not file.exists() and state == AlertState():
        return False  # nothing to remember yet: no file (a repo without alerts stays without one)
    data = json_bytes(state.to_dict())
    try:
        if file.exists() and file.read_bytes() == data:
            return False
        atomic_write_bytes(file, data)
    except OSError as exc:  # a read-only or full store: the store's failure, not an alert target's
        raise SnapshotError(f"cannot write {file}: {exc.strerror or type(exc).__name__}") from exc
    return True
