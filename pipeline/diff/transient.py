"""Flapping: a change reverted within a window is marked ``transient`` (pure: frames in, frames out).

The real page flipped between two shapes several times within days (2025-02-25 .. 2025-03-31: features
removed and re-added hours later, again and again). Every flip is a real pair of changes and stays in the
history, but a reader of the feed wants to know that "removed" was undone, not to read it twice.
:func:`transient_events` pairs each change with an earlier occurrence it reverts (same dataset and keys,
old and new swapped, the inverse kind) detected at most ``window_hours`` before (default 48, from
``SUPPORTMATRIX_TRANSIENT_HOURS``) and records one ``transient`` event per pair; an occurrence is in at
most one pair, so a page flipping back and forth gives one event per round trip. :func:`collapse` is the
view the feed, the site and the alerts show: each pair replaced by its one ``transient`` line.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

WINDOW_HOURS = 48.0
WINDOW_VARIABLE = "SUPPORTMATRIX_TRANSIENT_HOURS"
TRANSIENT = "transient"
_INVERSE = {
    "added": "removed",
    "removed": "added",
    "promoted": "demoted",
    "demoted": "promoted",
    "extended": "narrowed",
    "narrowed": "extended",
}
_KEYS = ("dataset", "environment", "feature", "resource", "platform", "subject", "field")


def window_hours(env: Mapping[str, str] | None = None) -> float:
    value = (os.environ if env is None else env).get(WINDOW_VARIABLE)
    try:
        return float(value) if value else WINDOW_HOURS
    except ValueError:
        return WINDOW_HOURS


def _hours(later: str, earlier: str) -> float:
    def at(text: str) -> datetime:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))

    return (at(later) - at(earlier)).total_seconds() / 3600


def _occurrence(record: Mapping[str, Any]) -> list[str]:
    return [str(record["change_id"]), str(record["detected_at"]), str(record["new_revision"])]


def _key(record: Mapping[str, Any], *, reverted: bool) -> tuple[Any, ...]:
    """What a change reverting ``record`` looks like (``reverted``), or what ``record`` itself is."""
    kind, old, new = record["kind"], record["old"], record["new"]
    if reverted:
        kind, old, new = _INVERSE.get(kind, kind), new, old
    return (kind, *(record[k] for k in _KEYS), old, new)


def _records(frame: pd.DataFrame | None) -> list[dict[str, Any]]:
    if frame is None or not len(frame):
        return []
    return [{str(k): (None if v is None or v != v else v) for k, v in r.items()} for r in frame.to_dict("records")]


def transient_events(history: pd.DataFrame | None, changes: pd.DataFrame, hours: float = WINDOW_HOURS) -> pd.DataFrame:
    """One ``transient`` record for each change of ``changes`` that reverts an occurrence (in ``history``,
    or earlier in ``changes``) detected at most ``hours`` before it and not yet paired."""
    import pandas as pd

    from . import empty

    past = _records(history)
    paired = {tuple(json.loads(r["old"])) for r in past if r["kind"] == TRANSIENT and r["old"]}
    paired |= {tuple(json.loads(r["new"])) for r in past if r["kind"] == TRANSIENT and r["new"]}
    open_: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for record in sorted((r for r in past if r["kind"] != TRANSIENT), key=lambda r: str(r["detected_at"])):
        if tuple(_occurrence(record)) not in paired:
            open_.setdefault(_key(record, reverted=False), []).append(record)
    events = []
    for record in sorted((r for r in _records(changes) if r["kind"] != TRANSIENT), key=lambda r: str(r["detected_at"])):
        candidates = open_.get(_key(record, reverted=True), [])
        earlier = [c for c in candidates if 0 <= _hours(str(record["detected_at"]), str(c["detected_at"])) <= hours]
        if earlier:
            first = earlier[-1]  # the most recent one: the flip this change undoes
            candidates.remove(first)
            events.append(_event(first, record))
            continue
        open_.setdefault(_key(record, reverted=False), []).append(record)
    if not events:
        return empty()
    return pd.DataFrame(events, columns=list(empty().columns), dtype=object)


def _event(first: dict[str, Any], then: dict[str, Any]) -> dict[str, Any]:
    old, new = _occurrence(first), _occurrence(then)
    # what and when, not which snapshot: the same flip found again (a rerun, a backfill) has the same id
    ident = hashlib.sha256(json.dumps([TRANSIENT, old[:2], new[:2]]).encode("utf-8")).hexdigest()[:16]
    hours = _hours(str(then["detected_at"]), str(first["detected_at"]))
    return {
        **{k: first[k] for k in _KEYS},
        "change_id": ident,
        "kind": TRANSIENT,
        "old": json.dumps(old),
        "new": json.dumps(new),
        "summary": f"Transient: {first['summary'].rstrip('.')} ({first['detected_at']}), reverted {hours:.0f} h later.",
        "severity": "low",
        "old_revision": first["new_revision"],
        "new_revision": then["new_revision"],
        "old_ms_date": first.get("new_ms_date"),
        "new_ms_date": then.get("new_ms_date"),
        "old_git_commit_id": first.get("new_git_commit_id"),
        "new_git_commit_id": then.get("new_git_commit_id"),
        "detected_at": then["detected_at"],
    }


def collapse(history: pd.DataFrame, also: pd.DataFrame | None = None) -> pd.DataFrame:
    """The history as people read it: both changes of each transient pair left out, its event kept.
    ``also``: more records whose ``transient`` events hide their pairs' changes in ``history`` (a batch of
    pending changes collapsed against the whole history, where an event may be outside the batch)."""
    if history is None or not len(history) or "kind" not in history.columns:
        return history
    events = history[history["kind"] == TRANSIENT]
    if also is not None and len(also) and "kind" in also.columns:
        import pandas as pd

        events = pd.concat([events, also[also["kind"] == TRANSIENT]], ignore_index=True)
    if not len(events):
        return history
    hidden = {tuple(json.loads(v)) for v in [*events["old"].tolist(), *events["new"].tolist()] if v}
    keep = [
        kind == TRANSIENT or (str(cid), str(at), str(rev)) not in hidden
        for kind, cid, at, rev in zip(
            history["kind"], history["change_id"], history["detected_at"], history["new_revision"]
        )
    ]
    return history[keep].reset_index(drop=True)


def with_transient(history: pd.DataFrame | None, changes: pd.DataFrame, hours: float | None = None) -> pd.DataFrame:
    """``changes`` followed by their ``transient`` events against ``history`` (what a run records)."""
    import pandas as pd

    events = transient_events(history, changes, window_hours() if hours is None else hours)
    if not len(events):
        return changes
    return pd.concat([f for f in (changes, events) if len(f)], ignore_index=True)
