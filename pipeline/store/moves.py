"""Moving the diff baseline, write-ahead: the one way a revision's changes reach the history (I/O).

A move from baseline A to a new revision B goes in this order, each step durable
before the next starts::

    1. B's folder is written, unlisted         (SnapshotStore.prepare; run does this)
    2. the move A -> B is logged               (journal.jsonl, fsynced)
    3. the changes A -> B are recorded         (changes.parquet/json, by occurrence key)
    4. their alerts are held as pending        (alerts-state.json)
    5. B is listed and seen: the baseline moves (SnapshotStore.commit)

A kill before 2 leaves nothing to finish (the next run sees the same page and
moves again); a kill after it leaves a logged move whose target is not yet
committed, and the next run finishes it with the logged detection time
(:func:`roll_forward`), so the history and the alerts are exactly those of an
uninterrupted run. Steps 3-5 are idempotent, so finishing twice is harmless.

Only an authored page is a baseline (``snapshots.NOT_A_BASELINE``): after a
snapshot reconstructed by hand from a partial capture, the first authored page
is recorded as the baseline (a ``baseline`` event in the history, never an
alert), not diffed against what the capture happened to miss.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .._faults import point
from . import journal
from .journal import BASELINE, CHANGED, Transition
from .snapshots import GOOD, QUARANTINED, authored

if TYPE_CHECKING:
    import pandas as pd

    from .snapshots import Snapshot, SnapshotStore

Hold = Callable[["pd.DataFrame"], None]


def plan(
    previous: Snapshot | None,
    baseline: Snapshot | None,
    target: Snapshot,
    at: str,
    validation: dict[str, Any] | None = None,
) -> Transition | None:
    """The move a run makes to ``target`` (None: the baseline does not move).

    ``previous`` is the page seen last, ``baseline`` the newest authored good one. Seeing the page seen
    last again, or a page that is not authored, moves nothing. A person's verdict in ``validation``
    (``accepted``) is logged with the move, so a roll forward commits and records it too."""
    if not authored(target.meta) or (previous is not None and previous.id == target.id):
        return None
    verdict = (validation or {}).get("accepted")
    accepted = verdict if isinstance(verdict, dict) else None
    if baseline is None:
        return Transition(at, previous.id if previous is not None else None, target.id, BASELINE, accepted)
    if baseline.id == target.id and previous is not None and not authored(previous.meta):
        return None  # back to the authored baseline after a reconstructed one: nothing changed
    return Transition(at, baseline.id, target.id, CHANGED, accepted)


def changes(
    store: SnapshotStore,
    move: Transition,
    target: Snapshot,
    frames: dict[str, pd.DataFrame] | None = None,
    validation: dict[str, Any] | None = None,
) -> pd.DataFrame:
    """The changes a move records: the typed diff (the old page rebuilt with today's rules, so an
    extractor improvement is never a change of support) with the ``restructured``/``accepted`` record
    its validation asks for and a ``transient`` event per change undoing a recent one; or the
    baseline event."""
    from ..diff import baseline_event, diff, empty
    from ..diff.transient import with_transient
    from ..validate.restructure import events

    if move.source is None:
        return empty()
    source = _snapshot(store, move.source)
    # detected now, also when the page went back to an old one; a released quarantined page's
    # meta predates its verdict, which the validation carries
    new_meta = {**target.meta, **events(validation or target.validation()), "fetched_at": move.at}
    if move.kind == BASELINE:
        return baseline_event(dict(source.meta), new_meta)
    after = frames if frames is not None else rebuilt(target)
    return with_transient(store.changes(), diff(rebuilt(source), after, dict(source.meta), new_meta))


def move(
    store: SnapshotStore,
    transition: Transition,
    target: Snapshot,
    *,
    frames: dict[str, pd.DataFrame] | None = None,
    hold: Hold | None = None,
    logged: bool = False,
    validation: dict[str, Any] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Steps 2-5 above; returns (this move's changes, the whole history)."""
    if not logged:
        journal.append(store.root, transition)
        point("logged")
    found = changes(store, transition, target, frames, validation)
    history = store.append_changes(found)
    point("recorded")
    if hold is not None:
        hold(found)
        point("held")
    store.commit(target, checked_at=transition.at, validation=validation)
    return found, history


def statuses(store: SnapshotStore) -> dict[str, str]:
    """Each listed snapshot's status (good or quarantined), by id."""
    return {e["id"]: e.get("status", GOOD) for e in store.entries()}


def unfinished(store: SnapshotStore, logged: list[Transition] | None = None) -> list[Transition]:
    """The logged moves whose targets were never committed, in log order (one after a killed run;
    several after a killed backfill, which logs its moves in one batch). A committed target stays
    listed as good and its last sighting only grows, so every finished move passes the test."""
    listed = statuses(store)
    checked = store.last_checked()
    return [
        move
        for move in (journal.read(store.root) if logged is None else logged)
        if not (listed.get(move.to) == GOOD and checked.get(move.to, "") >= move.at)
    ]


@dataclass
class Rolled:
    """What :func:`roll_forward` did: the moves it finished, each with the changes it recorded, and the
    moves it will not finish (to a quarantined snapshot, without a person's verdict)."""

    finished: list[tuple[Transition, pd.DataFrame]] = field(default_factory=list)
    abandoned: list[Transition] = field(default_factory=list)


def roll_forward(store: SnapshotStore, hold: Hold | None = None, logged: list[Transition] | None = None) -> Rolled:
    """Finish interrupted moves exactly as the interrupted run would have; nothing when there is none.

    A move to a quarantined snapshot without a person's verdict (its journal line damaged, or written by
    an ``accept`` older than the verdict in the log) is never finished: releasing the page with its failed
    validation would publish what nobody accepted. It is returned as abandoned, and the caller rebuilds
    the history without it (changes it recorded before the kill are not support changes)."""
    done = Rolled()
    listed = statuses(store)
    for pending in unfinished(store, logged):
        if pending.accepted is None and listed.get(pending.to) == QUARANTINED:
            done.abandoned.append(pending)
            continue
        target = _snapshot(store, pending.to)
        validation = pending.verdict(target.validation())
        found, _ = move(store, pending, target, hold=hold, logged=True, validation=validation)
        done.finished.append((pending, found))
    return done


def rebuilt(snapshot: Snapshot) -> dict[str, pd.DataFrame]:
    """A stored revision rebuilt with today's rules, as a run compares; what was stored when today's
    rules reject the page."""
    from ..errors import PipelineError
    from ..fetch import Fetched
    from ..steps import build, page_of

    body = snapshot.page_bytes()
    try:
        return build(body, Fetched.from_meta(snapshot.meta, body), page_of(snapshot.meta)).frames
    except PipelineError:
        return snapshot.frames()


def _snapshot(store: SnapshotStore, ident: str) -> Snapshot:
    """A listed snapshot by id, else a prepared one no commit listed yet."""
    from ..errors import SnapshotError

    if any(e["id"] == ident for e in store.entries()):
        return store.get(ident)
    found = store.unlisted(ident)
    if found is None:
        raise SnapshotError(f"{journal.JOURNAL} names snapshot {ident}, which is neither listed nor on disk")
    return found
