"""Finishing what a killed run left, and rebuilding damaged state from the snapshots (I/O).

Every run calls :func:`recover` first, under the run lock; ``pipeline repair``
calls :func:`repair`. Nothing here invents data: the change history is a
function of the snapshots and the transition log (``journal.jsonl``), so it
can always be rebuilt; the alert state records what was *delivered*, which
no file but itself knows, so its rebuild errs towards telling again:

- ``changes.parquet`` / ``changes.json`` unreadable or missing beside a non-empty
  log: moved aside (``*.damaged``) and rebuilt by replaying every logged move
  (moves made before the log existed are replayed from the good snapshots in
  order; a flap back to an earlier page before the log began cannot be seen there);
- ``alerts-state.json`` unreadable or of the wrong shape: moved aside and rebuilt
  with every recorded change delivered except those of the latest move, which are
  pending (at worst the latest alert is sent twice; no change is lost from it);
- a move logged but never committed: finished (:func:`pipeline.store.moves.roll_forward`);
- a line of the log that is no move (torn, or damaged): set aside in ``journal.jsonl.damaged``, and
  changes recorded for a snapshot still quarantined removed from the history (:func:`repair_journal`).
"""

from __future__ import annotations

import itertools
import os
from pathlib import Path
from typing import TYPE_CHECKING

from .._faults import point
from ..errors import AlertError, PipelineError, SnapshotError
from . import journal, moves
from .history import CHANGES
from .snapshots import QUARANTINED

if TYPE_CHECKING:
    import pandas as pd

    from .snapshots import Snapshot, SnapshotStore

DAMAGED = ".damaged"


def recover(store: SnapshotStore, hold: moves.Hold | None = None) -> list[str]:
    """What a run does first; one line per thing it repaired or finished (none in the common case,
    decided without pandas)."""
    lines = []
    logged, bad = journal.scan(store.root)
    if bad:
        lines.append(repair_journal(store, bad))
    if _history_damaged(store):
        lines.append(repair_history(store))
    if _alert_state_damaged(store.root):
        lines.append(repair_alert_state(store))
    rolled = moves.roll_forward(store, hold, logged)
    for move, found in rolled.finished:
        lines.append(
            f"recovered: finished the interrupted move to snapshot {move.to} detected {move.at} "
            f"({len(found)} change(s) recorded)"
        )
    for move in rolled.abandoned:
        lines.append(
            f"recovered: the interrupted move to quarantined snapshot {move.to} carries no accepted verdict "
            "in journal.jsonl; it stays quarantined (accept it again to publish it)"
        )
    if rolled.abandoned:  # what that move recorded before the kill is no change of support
        lines.append(repair_history(store))
    return lines


def repair(store: SnapshotStore, *, alerts: bool = False, hold: moves.Hold | None = None) -> list[str]:
    """``pipeline repair``: finish an interrupted move, then rebuild the history (always) and the alert
    state (when damaged, or ``alerts``)."""
    lines = recover(store, hold)
    if not any(line.startswith("repaired: change history") for line in lines):
        lines.append(repair_history(store))
    if alerts and not any(line.startswith("repaired: alert state") for line in lines):
        lines.append(repair_alert_state(store))
    return lines


# -- the change history --------------------------------------------------------------


def _history_damaged(store: SnapshotStore) -> bool:
    """Cheap, so every run can ask (no pandas, no pyarrow on the unchanged path): both files present,
    the Parquet file framed by its magic bytes (a truncated or overwritten file is not), the JSON one
    closed. Damage inside a well-framed file surfaces when the history is read, as a SnapshotError."""
    parquet, json_file = (store.root / f"{CHANGES}.{ext}" for ext in ("parquet", "json"))
    if not parquet.exists():
        return json_file.exists() or _has_logged_changes(store)
    if not json_file.exists():
        return True
    try:
        with open(parquet, "rb") as fh:
            head = fh.read(4)
            fh.seek(-4, os.SEEK_END)
            tail = fh.read(4)
        text = json_file.read_bytes().rstrip()
    except OSError:
        return True
    return head != b"PAR1" or tail != b"PAR1" or not (text.startswith(b"[") and text.endswith(b"]"))


def _has_logged_changes(store: SnapshotStore) -> bool:
    """A log with a move between two pages means a history file once existed (or should)."""
    return any(t.source is not None for t in journal.read(store.root))


def repair_history(store: SnapshotStore) -> str:
    """Rebuild changes.parquet/json from the snapshots and the log; the damaged files are kept aside."""
    from .._io import records
    from ..diff.transient import TRANSIENT
    from ..schema import DATASETS
    from .history import history_order, occurrence

    moved = _aside(store.root / f"{CHANGES}.parquet") + _aside(store.root / f"{CHANGES}.json")
    built: dict[str, dict[str, pd.DataFrame]] = {}
    found: list[dict[str, object]] = []
    for move in replay_moves(store):
        target = moves._snapshot(store, move.to)
        frames = built.setdefault(move.to, moves.rebuilt(target))
        found.extend(records(moves.changes(store, move, target, frames), DATASETS[CHANGES]))
    seen: set[tuple[str, str, str]] = set()
    unique = []
    # each move was diffed against an empty history (the damaged one is aside), so its transient events
    # are found again over the whole rebuilt history at once, as runs found them against theirs
    for r in sorted((r for r in found if r["kind"] != TRANSIENT), key=history_order):
        key = occurrence(r)
        if key not in seen:
            seen.add(key)
            unique.append(r)
    unique = sorted(unique + _transient(unique), key=history_order)
    store._write_history(unique)
    aside = f"; damaged files kept as {', '.join(moved)}" if moved else ""
    return f"repaired: change history rebuilt from the snapshots ({len(unique)} change(s)){aside}"


def _transient(rebuilt: list[dict[str, object]]) -> list[dict[str, object]]:
    import pandas as pd

    from .._io import records
    from ..diff import empty
    from ..diff.transient import transient_events, window_hours
    from ..schema import DATASETS

    frame = pd.DataFrame(rebuilt, columns=list(empty().columns), dtype=object)
    return records(transient_events(None, frame, window_hours()), DATASETS[CHANGES])


def repair_journal(store: SnapshotStore, bad: list[bytes]) -> str:
    """Lines of the log that are no move: set aside, and whatever a lost line's move recorded for a
    snapshot still quarantined taken out of the history.

    A torn line (a kill mid-append) recorded nothing: its move had not started. A line damaged later
    may have been a move to a quarantined snapshot killed after recording its changes (an ``accept``):
    without the line no roll forward can finish it, and those changes are no change of support. The
    history never holds a quarantined snapshot's changes otherwise (:func:`replay_moves`), so removing
    them loses nothing; a lost line's move that was committed keeps its changes."""
    removed = _drop_quarantined_changes(store)  # first: a kill before the set-aside finds the lines again
    point("purged")
    aside = journal.set_aside(store.root, bad)
    taken = f"; {removed} recorded change(s) of snapshots still quarantined removed from the history" if removed else ""
    return f"repaired: {len(bad)} line(s) of journal.jsonl that are no move kept in {aside}{taken}"


def _drop_quarantined_changes(store: SnapshotStore) -> int:
    if not (store.root / f"{CHANGES}.parquet").exists():
        return 0
    held = {ident for ident, status in moves.statuses(store).items() if status == QUARANTINED}
    with store._lock():
        try:
            history = store._history_records()
        except SnapshotError:
            return 0  # a damaged history is rebuilt next, without them
        kept = [r for r in history if str(r["new_revision"]) not in held]
        if len(kept) < len(history):
            store._write_history(kept)
    return len(history) - len(kept)


def replay_moves(store: SnapshotStore) -> list[journal.Transition]:
    """Every move of the baseline, oldest first: the log, after the chain of good authored snapshots
    stored before the log began (a store written by an earlier version).

    A move whose line was lost (damaged, set aside) is not replayed: which page it went from cannot be
    told from the snapshots (a flap reaches a page twice; an accepted page may be older than the one
    before it), and a guessed source would record changes that never happened (found by an attack on a
    replay that guessed). Its changes stay in the history until a rebuild drops them."""
    logged = journal.read(store.root)
    start = logged[0].at if logged else None
    listed = moves.statuses(store)
    # a move to a snapshot still quarantined is not finished (roll_forward finishes an accepted one after
    # this rebuild, and never one without a verdict): its changes are not part of the history
    logged = [t for t in logged if listed.get(t.to) != QUARANTINED]
    authored = sorted((s for s in store.good() if moves.authored(s.meta)), key=lambda s: (_seen(s), s.id))
    chain = [s for s in authored if start is None or _seen(s) < start]
    early = [journal.Transition(_seen(b), a.id, b.id) for a, b in itertools.pairwise(chain)]
    return early + logged


def _seen(snapshot: Snapshot) -> str:
    return str(snapshot.meta.get("fetched_at") or "")


def _aside(path: Path) -> list[str]:
    if not path.exists():
        return []
    target = path.with_name(path.name + DAMAGED)
    os.replace(path, target)
    return [target.name]


# -- the alert state -------------------------------------------------------------------


def _alert_state_damaged(root: Path) -> bool:
    from ..alerts import _state as state_file

    if not state_file.path(root).exists():
        return False
    try:
        state_file.load(root)
    except (AlertError, SnapshotError, ValueError, TypeError, AttributeError):
        return True
    return False


def repair_alert_state(store: SnapshotStore) -> str:
    """A new alert state from the history: the latest move's changes pending, the rest delivered."""
    from ..alerts import _state as state_file
    from ..alerts import announceable

    moved = _aside(state_file.path(store.root))
    try:
        history = announceable(store.changes())
    except PipelineError:
        history = None
    state = state_file.AlertState()
    last = journal.last(store.root)
    if history is not None and len(history):
        for cid, rev, at in zip(history["change_id"], history["new_revision"], history["detected_at"]):
            key = [(str(cid), f"{rev}@{at}")]
            if last is not None and str(rev) == last.to and str(at) == last.at:
                state.mark_pending(key, str(at), "alert state rebuilt: delivery unknown", attempt=False)
            else:
                state.mark_delivered(key, "unknown (alert state rebuilt)")
    state_file.save(store.root, state)
    aside = f"; damaged file kept as {moved[0]}" if moved else ""
    pending = len(state.pending_keys())
    return f"repaired: alert state rebuilt from the history ({pending} change(s) of the latest move pending){aside}"
