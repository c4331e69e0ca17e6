"""Feature changes: release states per resource and platform, feature attributes, footnotes."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from . import _diff_renames as renames
from ._diff_common import (
    HIGH,
    LOW,
    MEDIUM,
    Change,
    Row,
    as_list,
    derived,
    match,
    norm,
    norm_set,
    plain,
    quote,
    rows,
    show,
    text_value,
)
from .normalise.footnotes import is_unresolved

if TYPE_CHECKING:
    import pandas as pd

SUPPORT_COLUMNS = ("environment", "section", "feature", "resource", "platform", "state", "note", "feature_key")
FEATURE_COLUMNS = (
    "environment",
    "feature",
    "feature_key",
    "description",
    "enablement",
    "plans",
    "clouds",
    "footnotes",
    "extra",
)

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

    blank_old = {key(r): r for r in removed if not r["resource"]}
    blank_new = {key(r): r for r in added if not r["resource"]}
    pairs: list[tuple[Row, Row, int]] = []
    for r in sorted((r for r in added if r["resource"]), key=lambda r: norm(r["resource"])):
        o = blank_old.pop(key(r), None)
        if o is not None:
            pairs.append((o, r, 0))
    for r in sorted((r for r in removed if r["resource"]), key=lambda r: norm(r["resource"])):
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


def label(feature: Any, resource: Any, platform: Any) -> str:
    parts = [str(p) for p in (resource, platform) if p not in (None, "", "Any")]
    return f"{feature} ({', '.join(parts)})" if parts else str(feature)


def _where(r: Row) -> str:
    return f"{label(r['feature'], r['resource'], r['platform'])} on {r['environment']}"


def _support_change(kind: str, r: Row, **kw: Any) -> Change:
    return Change(
        kind=kind,
        dataset="feature_support",
        environment=r["environment"],
        feature=r["feature"],
        resource=r["resource"],
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


# -- feature attributes and footnotes ------------------------------------------------

_LIST_FIELDS = ("plans", "clouds")
_TEXT_FIELDS = ("enablement", "description")
_FIELD_SEVERITY = {"description": LOW, "enablement": MEDIUM}


def feature_changes(
    old: dict[str, pd.DataFrame], new: dict[str, pd.DataFrame], renamed: dict[str, str] | None = None
) -> list[Change]:
    """Attribute and footnote changes of every feature in both revisions (``renamed`` maps an old
    base key to the new one of a renamed feature)."""
    old_by, new_by = _features(old), _features(new)
    if old_by is None or new_by is None:
        return []
    old_by = {(renamed or {}).get(k, k): v for k, v in old_by.items()}
    out: list[Change] = []
    for key in sorted(old_by.keys() & new_by.keys()):
        o, n = old_by[key], new_by[key]
        out.extend(_attribute_changes(o, n))
        out.extend(_footnote_changes(o, n))
    return out


def _features(frames: dict[str, pd.DataFrame]) -> dict[str, Row] | None:
    def make() -> dict[str, Row] | None:
        found = rows(frames, "features", FEATURE_COLUMNS)
        return None if found is None else _by_feature(found)

    return derived(frames, "features", make)


def _by_feature(items: list[Row]) -> dict[str, Row]:
    """Rows of one feature name (split rows) folded into one: the union of what they say."""
    grouped: dict[str, list[Row]] = defaultdict(list)
    for r in items:
        grouped[base_key(r["feature_key"])].append(r)
    out: dict[str, Row] = {}
    for key, group in grouped.items():
        folded: Row = {"environment": group[0]["environment"], "feature": group[0]["feature"]}
        for col in _TEXT_FIELDS:
            folded[col] = _distinct(r[col] for r in group if r[col] not in (None, ""))
        for col in (*_LIST_FIELDS, "footnotes"):
            folded[col] = _distinct(v for r in group for v in as_list(r[col]))
        extras: dict[str, list[str]] = defaultdict(list)
        labels: dict[str, str] = {}
        for r in group:
            for header, (label, value) in _extra(r["extra"]).items():
                extras[header].append(value)
                labels.setdefault(header, label)
        folded["extra"] = {h: (labels[h], _distinct(v)) for h, v in extras.items()}
        out[key] = folded
    return out


def _distinct(values: Any) -> list[str]:
    """Distinct values in first-seen order, compared as a reader would (case and spacing aside)."""
    seen: dict[str, str] = {}
    for v in values:
        if v is None:
            continue
        seen.setdefault(norm(v), str(v))
    return [v for k, v in seen.items() if k]


# raw copies of mapped columns the normaliser keeps in extra (a bare "Release state", a plan
# qualifier): their change is already reported from the mapped column
_MAPPED = re.compile(r"release state$|^(plans?|pricing tiers?)$")


def _extra(value: Any) -> dict[str, tuple[str, str]]:
    """{normalised header: (header, value)} of the extra columns that are not mapped elsewhere."""
    value = plain(value)
    if not value:
        return {}
    try:
        data = json.loads(value) if isinstance(value, str) else value
    except ValueError:
        return {}
    if not isinstance(data, dict):
        return {}
    return {
        norm(k): (str(k), str(v))
        for k, v in data.items()
        if v not in (None, "") and norm(k) and not _MAPPED.search(norm(k))
    }


def _attribute_changes(o: Row, n: Row) -> list[Change]:
    out = []
    for col in (*_TEXT_FIELDS, *_LIST_FIELDS):
        a, b = o[col], n[col]
        if norm_set(a) == norm_set(b):
            continue
        lost = bool(norm_set(a) - norm_set(b))
        severity = _FIELD_SEVERITY.get(col, HIGH if lost and col in _LIST_FIELDS else MEDIUM)
        out.append(_attribute(n, col, a, b, severity))
    # extra columns (Sensor, Agentless/Agent-based, ...) only where the header is in both revisions:
    # a renamed header is not a change of support
    for header in sorted(o["extra"].keys() & n["extra"].keys()):
        (_, a), (label, b) = o["extra"][header], n["extra"][header]
        if norm_set(a) != norm_set(b):
            out.append(_attribute(n, label, a, b, LOW))
    return out


def _one(values: list[str], field: str) -> Any:
    return values if field in _LIST_FIELDS else (values[0] if len(values) == 1 else (values or None))


def _attribute(n: Row, field: str, a: list[str], b: list[str], severity: str) -> Change:
    old, new = _one(a, field), _one(b, field)
    if field == "description":
        text = f"The description of {n['feature']} on {n['environment']} changed."
    else:
        text = f"{n['feature']} on {n['environment']}: {field} changed from {show(old)} to {show(new)}."
    return Change(
        kind="attribute_changed",
        dataset="features",
        environment=n["environment"],
        feature=n["feature"],
        field=field,
        old=text_value(old),
        new=text_value(new),
        summary=text,
        severity=severity,
    )


def _footnote_changes(o: Row, n: Row) -> list[Change]:
    if any(is_unresolved(t) for t in (*o["footnotes"], *n["footnotes"])):
        return []  # a broken footnote link on one side: what it said cannot be compared
    a = {norm(t): t for t in o["footnotes"]}
    b = {norm(t): t for t in n["footnotes"]}
    gone = [a[k] for k in a if k not in b]
    came = [b[k] for k in b if k not in a]
    if not gone and not came:
        return []
    if len(gone) == 1 and len(came) == 1:
        return [_footnote(n, gone[0], came[0])]
    return [_footnote(n, t, None) for t in gone] + [_footnote(n, None, t) for t in came]


def _footnote(n: Row, old: str | None, new: str | None) -> Change:
    where = f"{n['feature']} on {n['environment']}"
    if old is None:
        text = f"{where} now cites the footnote {quote(new)}."
    elif new is None:
        text = f"{where} no longer cites the footnote {quote(old)}."
    else:
        text = f"A footnote on {where} changed from {quote(old)} to {quote(new)}."
    return Change(
        kind="footnote_changed",
        dataset="features",
        environment=n["environment"],
        feature=n["feature"],
        field="footnote",
        old=old,
        new=new,
        summary=text,
        severity=LOW,
    )
