"""Since when? State intervals of every feature x resource x platform, from the change history (pure).

Records in, records out: no I/O, no clock.  The history says when each state
change was detected (``detected_at``, with the revision's ms.date and source
commit); replaying its ``feature_support`` records (added, removed, promoted,
demoted, state_changed) and the features' renames, oldest first, gives each
row's intervals.  A state nothing in the history changed began at the start of
the history: the ``baseline`` record's revision when the history has one, the
published revision itself when the history is empty, else the revision the
first record compares against (its ms.date and commit; its detection time is
not in the history, so null).

- :func:`timeline` is the ``timeline`` dataset: one row per interval.
- :func:`since` adds ``state_since*`` and ``first_seen*`` to the current
  ``feature_support`` rows.

Rows are matched by (environment, feature name, resource, platform), as the
change records name them; a rename carries a row's intervals to its new name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..normalise._common import key_text
from ..vocabulary import NO_RESOURCE

STATE_KINDS = ("added", "removed", "promoted", "demoted", "state_changed")


@dataclass(frozen=True)
class Point:
    """A revision as the history names it."""

    detected_at: str | None
    ms_date: str | None
    git_commit_id: str | None


UNKNOWN = Point(None, None, None)


@dataclass
class Interval:
    state: str | None
    start: Point
    end: Point | None = None  # None: still holds (or the row vanished without a record)


@dataclass
class Row:
    environment: str
    feature: str
    resource: str
    platform: str
    intervals: list[Interval] = field(default_factory=list)


def _key(environment: Any, feature: Any, resource: Any, platform: Any) -> tuple[str, str, str, str]:
    res = NO_RESOURCE if resource in (None, "") else str(resource)
    return (str(environment), key_text(str(feature)), res.casefold(), str(platform).casefold())


def _new_point(r: dict[str, Any]) -> Point:
    return Point(r.get("detected_at"), r.get("new_ms_date"), r.get("new_git_commit_id"))


def history_start(history: list[dict[str, Any]], revision: dict[str, Any]) -> Point:
    """Where the history begins: its baseline record, or the published revision when there is no history."""
    baselines = sorted((r for r in history if r.get("kind") == "baseline"), key=lambda r: str(r.get("detected_at")))
    if baselines:
        return _new_point(baselines[0])
    if not any(r.get("kind") in STATE_KINDS for r in history):
        return Point(revision.get("fetched_at"), revision.get("ms_date"), revision.get("git_commit_id"))
    # the revision the first record compares against: its ms.date and commit are known, its detection
    # time is not in the history
    first = min(history, key=lambda r: (str(r.get("detected_at")), str(r.get("new_revision"))))
    return Point(None, first.get("old_ms_date"), first.get("old_git_commit_id"))


def replay(
    history: list[dict[str, Any]], current: list[dict[str, Any]], start: Point
) -> dict[tuple[str, str, str, str], Row]:
    """Every row the history or the current revision knows, with its intervals, oldest first."""
    rows: dict[tuple[str, str, str, str], Row] = {}
    ordered = sorted(history, key=lambda r: (str(r.get("detected_at")), str(r.get("new_revision"))))
    for r in ordered:
        if r.get("dataset") == "features" and r.get("kind") == "attribute_changed" and r.get("field") == "feature":
            _rename(rows, r)
            continue
        if r.get("dataset") != "feature_support" or r.get("kind") not in STATE_KINDS:
            continue
        key = _find(rows, _key(r.get("environment"), r.get("feature"), r.get("resource"), r.get("platform")))
        row = rows.get(key)
        if row is None:
            row = rows[key] = Row(str(r.get("environment")), str(r.get("feature")), _res(r), str(r.get("platform")))
        at = _new_point(r)
        open_ = row.intervals[-1] if row.intervals and row.intervals[-1].end is None else None
        if r["kind"] != "added" and open_ is None and not row.intervals:
            # the state it changed from held since the history began
            open_ = Interval(r.get("old"), start)
            row.intervals.append(open_)
        if open_ is not None:
            open_.end = at
        if r["kind"] != "removed":
            row.intervals.append(Interval(r.get("new"), at))
        row.feature = str(r.get("feature"))
    for c in current:
        key = _find(rows, _key(c["environment"], c["feature"], c["resource"], c["platform"]))
        row = rows.get(key)
        if row is None:
            row = rows[key] = Row(c["environment"], c["feature"], c["resource"], c["platform"])
        row.platform = c["platform"]
        last = row.intervals[-1] if row.intervals else None
        if last is None:  # on the page, and no record of it ever changing: as it was when the history began
            row.intervals.append(Interval(c["state"], start))
        elif last.end is not None or last.state != c["state"]:
            # back, or in a state the history does not lead to, without a record saying when
            last.end = last.end or UNKNOWN
            row.intervals.append(Interval(c["state"], UNKNOWN))
    return rows


# a single "Release state" column (platform Any) is the Linux state once a table splits by platform;
# the diff pairs the two, so the history continues from one to the other
_ALIAS = {"any": "linux", "linux": "any"}


def _find(rows: dict[tuple[str, str, str, str], Row], key: tuple[str, str, str, str]) -> tuple[str, str, str, str]:
    """``key``, or the row under its platform alias still open, moved to ``key``."""
    if key in rows or key[3] not in _ALIAS:
        return key
    alias = (*key[:3], _ALIAS[key[3]])
    row = rows.get(alias)
    if row is not None and row.intervals and row.intervals[-1].end is None:
        rows[key] = rows.pop(alias)
        rows[key].platform = key[3].capitalize()
    return key


def _res(r: dict[str, Any]) -> str:
    return NO_RESOURCE if r.get("resource") in (None, "") else str(r.get("resource"))


def _rename(rows: dict[tuple[str, str, str, str], Row], r: dict[str, Any]) -> None:
    old, new = key_text(str(r.get("old"))), key_text(str(r.get("new")))
    env = str(r.get("environment"))
    for key in [k for k in rows if k[0] == env and k[1] == old]:
        row = rows.pop(key)
        row.feature = str(r.get("new"))
        rows[(env, new, key[2], key[3])] = row


def timeline(
    history: list[dict[str, Any]], current: list[dict[str, Any]], revision: dict[str, Any]
) -> list[dict[str, Any]]:
    """The ``timeline`` records: every interval of every row; current rows keep today's feature_key."""
    start = history_start(history, revision)
    keys = {_key(c["environment"], c["feature"], c["resource"], c["platform"]): c["feature_key"] for c in current}
    out = []
    for key, row in replay(history, current, start).items():
        feature_key = keys.get(key) or f"{row.environment}|{key[1]}"
        for i, interval in enumerate(row.intervals):
            end = interval.end
            out.append(
                {
                    "environment": row.environment,
                    "feature_key": feature_key,
                    "feature": row.feature,
                    "resource": row.resource,
                    "platform": row.platform,
                    "interval": i,
                    "state": interval.state,
                    "valid_from": interval.start.detected_at,
                    "valid_from_ms_date": interval.start.ms_date,
                    "valid_from_git_commit_id": interval.start.git_commit_id,
                    "valid_to": end.detected_at if end else None,
                    "valid_to_ms_date": end.ms_date if end else None,
                    "current": key in keys and end is None and i == len(row.intervals) - 1,
                }
            )
    out.sort(key=lambda r: (r["environment"], r["feature_key"], r["resource"], r["platform"], r["interval"]))
    return out


def since(
    history: list[dict[str, Any]], current: list[dict[str, Any]], revision: dict[str, Any]
) -> list[dict[str, Any]]:
    """The current feature_support records with state_since*, first_seen* (from the history)."""
    rows = replay(history, current, history_start(history, revision))
    out = []
    for c in current:
        row = rows[_key(c["environment"], c["feature"], c["resource"], c["platform"])]
        began = row.intervals[-1].start
        first = row.intervals[0].start
        out.append(
            {
                **c,
                "state_since": began.detected_at,
                "state_since_ms_date": began.ms_date,
                "state_since_git_commit_id": began.git_commit_id,
                "first_seen": first.detected_at,
                "first_seen_ms_date": first.ms_date,
            }
        )
    return out
