"""The transition log: ``snapshots/journal.jsonl``, written ahead of every baseline move (I/O).

One JSON line per move of the diff baseline, appended and fsynced *before* the
changes of that move are recorded and before the snapshot it moves to is
listed as good::

    {"at": "2025-04-01T06:17:00Z", "from": "1cfe…" | null, "to": "9a0b…", "kind": "changed" | "baseline"}

A move to a quarantined snapshot a person accepted also carries ``"accepted": {"by", "at", "failed"}``:
the verdict is part of the intent, so a roll forward commits the same ``accepted`` validation and
records the same ``accepted`` change as the interrupted ``accept`` would have.

``at`` is the detection time the changes carry, ``from`` the baseline they
are diffed against (null: nothing to diff, the first authored page), ``to``
the snapshot that becomes the baseline. Because the intent is on disk first,
a run killed anywhere after it leaves enough to finish the move exactly as an
uninterrupted run would have (``pipeline.store.moves.roll_forward``), and the
whole change history can be rebuilt from the snapshots (``pipeline repair``).

Appending is O(1) whatever the length of the history; a torn last line (a
kill mid-append) is ignored on reading, since its move had not started.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import SnapshotError

JOURNAL = "journal.jsonl"
CHANGED = "changed"  # the baseline moved from one authored page to another: changes are diffed
BASELINE = "baseline"  # the first authored page: recorded as the baseline, no changes


@dataclass(frozen=True)
class Transition:
    at: str
    source: str | None  # "from"
    to: str
    kind: str = CHANGED
    # a person's verdict on a quarantined target ({"by", "at", "failed"}); None for every run's own move
    accepted: dict[str, Any] | None = None

    def to_json(self) -> bytes:
        body: dict[str, Any] = {"at": self.at, "from": self.source, "kind": self.kind, "to": self.to}
        if self.accepted is not None:
            body["accepted"] = self.accepted
        return json.dumps(body, sort_keys=True, ensure_ascii=True).encode("ascii") + b"\n"

    def verdict(self, stored: dict[str, Any] | None) -> dict[str, Any] | None:
        """The validation this move commits its target with: the stored one, or what a person's
        acceptance makes of it (:func:`accepted_validation`)."""
        if self.accepted is None:
            return stored
        return accepted_validation(stored or {}, self.accepted)


def accepted_validation(stored: dict[str, Any], accepted: dict[str, Any]) -> dict[str, Any]:
    """A quarantined snapshot's validation once a person accepted it: it passes, and says by whom."""
    return {**stored, "success": True, "outcome": "accepted", "accepted": dict(accepted)}


def path(root: Path) -> Path:
    return Path(root) / JOURNAL


def append(root: Path, *transitions: Transition) -> None:
    """Add lines and make them durable (file and folder entry) before returning: one write and one
    fsync however many (a backfill logs all its moves at once)."""
    if transitions:
        append_durably(path(root), b"".join(t.to_json() for t in transitions))


def append_durably(file: Path, data: bytes) -> None:
    """Append whole lines to ``file`` and fsync it (and its folder, when the file is new)."""
    file.parent.mkdir(parents=True, exist_ok=True)
    created = not file.exists()
    fd = os.open(file, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        if not created:
            _end_with_newline(fd, file)
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    if created:
        from ..publish._swap import fsync_dir

        fsync_dir(file.parent)


def _end_with_newline(fd: int, file: Path) -> None:
    """A kill mid-append leaves a torn line: end it, so the next line stands on its own."""
    size = file.stat().st_size
    if size:
        with open(file, "rb") as fh:
            fh.seek(size - 1)
            if fh.read(1) != b"\n":
                os.write(fd, b"\n")


def read(root: Path) -> list[Transition]:
    """Every complete line, oldest first; torn or foreign lines are skipped (never acted on)."""
    return scan(root)[0]


def scan(root: Path) -> tuple[list[Transition], list[bytes]]:
    """The moves (as :func:`read`) and the lines that are none: torn by a kill mid-append, or damaged."""
    file = path(root)
    try:
        data = file.read_bytes()
    except FileNotFoundError:
        return [], []
    except OSError as exc:
        raise SnapshotError(f"cannot read {file}: {exc}") from exc
    out, bad = [], []
    for line in data.splitlines():
        try:
            out.append(_transition(json.loads(line)))
        except (ValueError, KeyError, TypeError, AttributeError, RecursionError):
            if line.strip():
                bad.append(line)
    return out, bad


_ID = re.compile(r"[0-9a-f]{16}")  # a snapshot id (pipeline.store.snapshots.snapshot_id)


def _transition(row: Any) -> Transition:
    """The move a line names, in the shape :meth:`Transition.to_json` writes; else TypeError."""
    at, source, to, kind = row["at"], row["from"], row["to"], row.get("kind", CHANGED)
    if not (isinstance(at, str) and isinstance(to, str) and _ID.fullmatch(to)):
        raise TypeError("a move names when (text) and the snapshot it goes to (an id)")
    if not (source is None or (isinstance(source, str) and _ID.fullmatch(source))) or kind not in (CHANGED, BASELINE):
        raise TypeError("a move comes from a snapshot id or from nothing, and is changed or baseline")
    accepted = row.get("accepted")
    if accepted is not None and not _verdict_shaped(accepted):
        raise TypeError("accepted must be an object {by, at, failed}")
    return Transition(at, source, to, kind, accepted)


def _verdict_shaped(accepted: Any) -> bool:
    """What ``accept`` writes: who and when as text, the failed expectations as a list of text."""
    return (
        isinstance(accepted, dict)
        and isinstance(accepted.get("by"), str)
        and isinstance(accepted.get("at"), str)
        and isinstance(accepted.get("failed"), list)
        and all(isinstance(f, str) for f in accepted["failed"])
    )


def set_aside(root: Path, bad: list[bytes]) -> str:
    """Move the lines that are no move out of the log, into ``journal.jsonl.damaged`` (kept there first,
    each once however often this is retried), so later runs neither skip them again nor pay for what
    their discovery costs. Returns the file name they went to; SnapshotError when the files cannot be
    written (the message names the file, never a temporary one, so a failing run's alert is stable)."""
    from .._io import atomic_write_bytes

    file = path(root)
    aside = file.with_name(file.name + ".damaged")
    try:
        known = set(aside.read_bytes().splitlines()) if aside.exists() else set()
        new = [line for line in dict.fromkeys(bad) if line not in known]
        if new:
            append_durably(aside, b"".join(line + b"\n" for line in new))
        dropped = set(bad)
        kept = [line + b"\n" for line in file.read_bytes().splitlines() if line.strip() and line not in dropped]
        atomic_write_bytes(file, b"".join(kept))
    except OSError as exc:
        raise SnapshotError(
            f"cannot set aside the damaged lines of {file} in {aside.name}: {exc.strerror or exc}"
        ) from exc
    return aside.name


def last(root: Path) -> Transition | None:
    rows = read(root)
    return rows[-1] if rows else None
