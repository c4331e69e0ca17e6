"""Release-state changes per feature x resource x platform, renamed features, rows without resources."""

from __future__ import annotations

import re
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from ..vocabulary import NO_RESOURCE
from . import _renames as renames
from ._common import HIGH, LOW, MEDIUM, Change, Row, derived, match, norm, quote, rows, show, text_value

if TYPE_CHECKING:
    import pandas as pd

SUPPORT_COLUMNS = ("environment", "section", "feature", "resource", "platform", "state", "note", "feature_key")

# promoted/demoted only along this ladder; anything else (Unknown, null) is a plain state change
_RANK = {"not available": 0, "preview": 1, "ga": 2}
# a single "Release state" column (platform Any) is the Linux state once the table splits by platform
_PLATFORM_ALIAS = {"any": "linux"}


def support_changes(old: dict[str, pd.DataFrame], new: dict[str, pd.DataFrame]) -> tuple[list[Change], dict[str, str]]:
    """The feature_support changes, and the renamed features (old base key -> new base key)."""
    before, after = _support_rows(old), _support_rows(new)
    if before is None or after is None:
        return [], {}
    # the alias works both ways: Any (old) meets Linux (new), and Linux (old) meets Any (new);
    # by_name meets a row that was split in two, whose keys gained a disambiguating suffix
    pairs, removed, added = match(before, after, [_exact, _aliased, _by_name])
    found = renames.find(removed, added, before, after, _base, _signature)
    renamed = {r.old_base: r.new_base for r in found}
    if renamed:

        def new_name(r: Row) -> tuple[str, str, str, str]:
            env, key, res, platform = _by_name(r)
            return (env, renamed.get(key, key), res, platform)

        more, removed, added = match(removed, added, [new_name])
        pairs += more
    more, removed, added = _unnamed_resources(removed, added, renamed)
    pairs += more
    out: list[Change] = [_rename_change(r) for r in found]
    for o, n, _ in pairs:
        out.extend(_compare_support(o, n))
    out.extend(_support_row_change("removed", r) for r in removed)
    out.extend(_support_row_change("added", r) for r in added)
    return out, renamed


def _support_rows(frames: dict[str, pd.DataFrame]) -> list[Row] | None:
    def make() -> list[Row] | None:
        found = rows(frames, "feature_support", SUPPORT_COLUMNS)
        return None if found is None else _merge_duplicates(found)

    return derived(frames, "support", make)


def _exact(r: Row) -> tuple[str, str, str, str]:
    return (norm(r["environment"]), str(r["feature_key"]), norm(r["resource"]), norm(r["platform"]))


def _aliased(r: Row) -> tuple[str, str, str, str]:
    env, key, res, platform = _exact(r)
    return (env, key, res, _PLATFORM_ALIAS.get(platform, platform))


def _by_name(r: Row) -> tuple[str, str, str, str]:
    env, key, res, platform = _aliased(r)
    return (env, base_key(key), res, platform)


def _base(r: Row) -> str:
    return base_key(r["feature_key"])


def _signature(r: Row) -> tuple[str, ...]:
    return (norm(r["resource"]), _aliased(r)[3], norm(r["state"]), norm(r["note"]))


def _unnamed_resources(
    removed: list[Row], added: list[Row], renamed: dict[str, str]
) -> tuple[list[tuple[Row, Row, int]], list[Row], list[Row]]:
    """A feature that named no resource now names one (or the reverse): the row without a
    resource is that row, so only its state is compared (the resource itself is no support change)."""

    def key(r: Row) -> tuple[str, str, str]:
        env, base, _, platform = _by_name(r)
        return (env, renamed.get(base, base), platform)

    blank_old = {key(r): r for r in removed if _blank(r["resource"])}
    blank_new = {key(r): r for r in added if _blank(r["resource"])}
    pairs: list[tuple[Row, Row, int]] = []
    for r in sorted((r for r in added if not _blank(r["resource"])), key=lambda r: norm(r["resource"])):
        o = blank_old.pop(key(r), None)
        if o is not None:
            pairs.append((o, r, 0))
    for r in sorted((r for r in removed if not _blank(r["resource"])), key=lambda r: norm(r["resource"])):
        n = blank_new.pop(key(r), None)
        if n is not None:
            pairs.append((r, n, 0))
    paired = {id(x) for p in pairs for x in p[:2]}
    return pairs, [r for r in removed if id(r) not in paired], [r for r in added if id(r) not in paired]


_RETIRING = re.compile(r"\b(deprecat|retir|end of (life|support))", re.IGNORECASE)


def _rename_change(r: renames.Rename) -> Change:
    # a name that gains "Deprecated:" announces the feature's end: not a mere rewording
    retiring = bool(_RETIRING.search(r.new_name)) and not _RETIRING.search(r.old_name)
    if retiring:
        text = f"{quote(r.old_name)} on {r.environment} is now marked as retiring: {quote(r.new_name)}."
    else:
        text = f"{quote(r.old_name)} on {r.environment} is now called {quote(r.new_name)}."
    return Change(
        kind="attribute_changed",
        dataset="features",
        environment=r.environment,
        feature=r.new_name,
        field="feature",
        old=r.old_name,
        new=r.new_name,
        summary=text,
        severity=HIGH if retiring else LOW,
    )


def base_key(feature_key: Any) -> str:
    """``environment|feature`` without the suffixes the normaliser adds to tell same-named rows apart."""
    return "|".join(str(feature_key).split("|")[:2])


def _merge_duplicates(items: list[Row]) -> list[Row]:
    """One row per key. A key seen twice (a row split in two that says the same thing) is one
    row; if the copies disagree, their states read as one combined value, so nothing is lost."""
    grouped: dict[tuple[Any, ...], list[Row]] = defaultdict(list)
    for r in items:
        grouped[(norm(r["environment"]), r["feature_key"], norm(r["resource"]), norm(r["platform"]))].append(r)
    out = []
    for group in grouped.values():
        first = dict(group[0])
        for col in ("state", "note"):
            values = sorted({str(r[col]) for r in group if r[col] not in (None, "")})
            first[col] = " / ".join(values) if values else group[0][col]
        out.append(first)
    return out


def _blank(resource: Any) -> bool:
    """The row names no resource (snapshots stored before NO_RESOURCE hold '')."""
    return resource in (None, "", NO_RESOURCE)


def label(feature: Any, resource: Any, platform: Any) -> str:
    parts = [str(p) for p in (resource, platform) if p not in (None, "", "Any", NO_RESOURCE)]
    return f"{feature} ({', '.join(parts)})" if parts else str(feature)


def _where(r: Row) -> str:
    return f"{label(r['feature'], r['resource'], r['platform'])} on {r['environment']}"


def _support_change(kind: str, r: Row, **kw: Any) -> Change:
    return Change(
        kind=kind,
        dataset="feature_support",
        environment=r["environment"],
        feature=r["feature"],
        # change records keep '' for "no resource", as before NO_RESOURCE: a change's id hashes it
        resource="" if r["resource"] == NO_RESOURCE else r["resource"],
        platform=r["platform"],
        **kw,
    )


def _support_row_change(kind: str, r: Row) -> Change:
    state = r["state"]
    shown = show(state) + (f" ({r['note']})" if r["note"] else "")
    if kind == "added":
        return _support_change(
            kind,
            r,
            field="state",
            old=None,
            new=text_value(state),
            summary=f"{_where(r)} was added as {shown}.",
            severity=MEDIUM,
        )
    return _support_change(
        kind,
        r,
        field="state",
        old=text_value(state),
        new=None,
        summary=f"{_where(r)} was removed (it was {shown}).",
        severity=HIGH,
    )


def _compare_support(o: Row, n: Row) -> list[Change]:
    old_state, new_state = o["state"], n["state"]
    if norm(old_state) != norm(new_state):
        kind, severity = _state_kind(old_state, new_state)
        extra = ""
        if norm(o["note"]) != norm(n["note"]) and (o["note"] or n["note"]):
            extra = (
                f" (note: {quote(o['note']) if o['note'] else 'none'} -> {quote(n['note']) if n['note'] else 'none'})"
            )
        return [
            _support_change(
                kind,
                n,
                field="state",
                old=text_value(old_state),
                new=text_value(new_state),
                summary=f"{_where(n)} went from {show(old_state)} to {show(new_state)}{extra}.",
                severity=severity,
            )
        ]
    # a note that changes along with the state is part of that change (reported above)
    if norm(o["note"]) != norm(n["note"]):
        if not o["note"]:
            text = f"{_where(n)} ({show(new_state)}) now has the note {quote(n['note'])}."
        elif not n["note"]:
            text = f"{_where(n)} ({show(new_state)}) no longer has the note {quote(o['note'])}."
        else:
            text = f"The note on {_where(n)} ({show(new_state)}) changed from {quote(o['note'])} to {quote(n['note'])}."
        return [
            _support_change(
                "note_changed",
                n,
                field="note",
                old=text_value(o["note"]),
                new=text_value(n["note"]),
                summary=text,
                severity=LOW,
            )
        ]
    return []


def _state_kind(old: Any, new: Any) -> tuple[str, str]:
    a, b = _RANK.get(norm(old)), _RANK.get(norm(new))
    if a is None or b is None:
        return "state_changed", MEDIUM
    return ("promoted", MEDIUM) if b > a else ("demoted", HIGH)
