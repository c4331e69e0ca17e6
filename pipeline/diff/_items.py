"""Support lists, OS version ranges and page notes: what is listed, where, and how it changed."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING, Any

from . import _coverage as versions
from ._common import (
    HIGH,
    LOW,
    MEDIUM,
    Change,
    Row,
    as_list,
    derived,
    footnote_edits,
    footnote_sentence,
    loose,
    match,
    norm,
    quote,
    rescope,
    rows,
)

if TYPE_CHECKING:
    import pandas as pd

ITEM_COLUMNS = ("section", "environment", "subheading", "aspect", "status", "item", "footnotes")
OS_COLUMNS = (
    "context",
    "environment",
    "name",
    "version_min",
    "version_max",
    "versions",
    "open_ended",
    "based_on",
    "note",
    "raw",
)
_HEADINGS = ("section", "subheading", "aspect")  # compared by their words only


def _unsupported(status: Any) -> bool:
    s = norm(status)
    return s.startswith(("unsupported", "not supported"))


def _where(r: Row) -> str:
    scope = ", ".join(str(p) for p in (r["environment"],) if p)
    return f"{r['aspect']}" + (f" ({scope})" if scope else "")


# -- support items -------------------------------------------------------------------


def item_changes(old: dict[str, pd.DataFrame], new: dict[str, pd.DataFrame]) -> list[Change]:
    before = rows(old, "support_items", ITEM_COLUMNS)
    after = rows(new, "support_items", ITEM_COLUMNS)
    if before is None or after is None:
        return []

    def k(*cols: str) -> Callable[[Row], Hashable]:
        return lambda r: tuple(loose(r[c]) if c in _HEADINGS else norm(r[c]) for c in cols)

    levels = [
        k("environment", "section", "subheading", "aspect", "status", "item"),
        # the same bullet under a moved or retitled heading or aspect: not a support change
        k("environment", "aspect", "status", "item"),
        k("environment", "status", "item"),
        # the same bullet under another status: moved
        k("environment", "section", "subheading", "aspect", "item"),
        k("environment", "aspect", "item"),
    ]
    pairs, removed, added = match(before, after, levels)
    more, removed, added = _rescoped_items(removed, added, before, after)
    pairs += more
    out: list[Change] = []
    for o, n, _ in pairs:
        if norm(o["status"]) != norm(n["status"]):
            severity = HIGH if _unsupported(n["status"]) and not _unsupported(o["status"]) else MEDIUM
            out.append(
                _item(
                    "moved",
                    n,
                    o["status"],
                    n["status"],
                    f"{quote(n['item'])} moved from {o['status']} to {n['status']} under {_where(n)}.",
                    severity,
                )
            )
        out.extend(_item_footnotes(o, n))
    # OS lines are reported by the os_versions diff (as a range change, not a removal and an addition)
    old_os, new_os = derived(old, "os_lines", lambda: _os_lines(old)), derived(new, "os_lines", lambda: _os_lines(new))
    for r in removed:
        if (norm(r["environment"]), norm(r["item"])) not in old_os:
            severity = MEDIUM if _unsupported(r["status"]) else HIGH
            text = f"{quote(r['item'])} is no longer listed as {r['status']} under {_where(r)}."
            out.append(_item("removed", r, r["status"], None, text, severity))
    for r in added:
        if (norm(r["environment"]), norm(r["item"])) not in new_os:
            text = f"{quote(r['item'])} is now listed as {r['status']} under {_where(r)}."
            out.append(_item("added", r, None, r["status"], text, MEDIUM))
    return out


def _rescoped_items(
    removed: list[Row], added: list[Row], before: list[Row], after: list[Row]
) -> tuple[list[tuple[Row, Row, int]], list[Row], list[Row]]:
    """A bullet in a list for every environment (no environment) and the same bullet now in some
    environments' lists (or the reverse) is the same bullet."""

    def key(r: Row) -> tuple[str, str, str]:
        return (loose(r["aspect"]), norm(r["status"]), norm(r["item"]))

    return rescope(removed, added, before, after, key, lambda r: bool(norm(r["environment"])))


def _os_lines(frames: dict[str, pd.DataFrame]) -> set[tuple[str, str]]:
    found = rows(frames, "os_versions", ("environment", "raw")) or []
    lines = {(norm(r["environment"]), norm(r["raw"])) for r in found}
    return lines | {("", raw) for _, raw in lines}


def _item(kind: str, r: Row, old: Any, new: Any, summary: str, severity: str) -> Change:
    return Change(
        kind=kind,
        dataset="support_items",
        environment=r["environment"],
        subject=r["item"],
        field="status",
        old=old,
        new=new,
        summary=summary,
        severity=severity,
    )


def _item_footnotes(o: Row, n: Row) -> list[Change]:
    where = f"{quote(n['item'])} under {_where(n)}"
    out = []
    for old, new in footnote_edits(as_list(o["footnotes"]), as_list(n["footnotes"])):
        out.append(
            Change(
                kind="footnote_changed",
                dataset="support_items",
                environment=n["environment"],
                subject=n["item"],
                field="footnote",
                old=old,
                new=new,
                summary=footnote_sentence(where, old, new),
                severity=LOW,
            )
        )
    return out


# -- OS versions ---------------------------------------------------------------------


def os_changes(old: dict[str, pd.DataFrame], new: dict[str, pd.DataFrame]) -> list[Change]:
    old_groups, new_groups = _groups(old), _groups(new)
    if old_groups is None or new_groups is None:
        return []
    levels: list[Callable[[Row], Hashable]] = [
        lambda g: (g["context_n"], g["env_n"], g["name_n"]),
        # a retitled section or aspect: the same list if the aspect (last part of the context) is the same
        lambda g: (g["aspect_n"], g["env_n"], g["name_n"]),
        lambda g: (g["env_n"], g["name_n"]),
    ]
    pairs, removed, added = match(old_groups, new_groups, levels)
    more, removed, added = _rescoped(removed, added, old_groups, new_groups)
    pairs += more
    out: list[Change] = []
    for o, n, _ in pairs:
        out.extend(_compare_os(o, n))
    for g in removed:
        text = f"{g['name']} ({g['cov'].text()}) is no longer listed under {_context(g)}."
        out.append(_os("removed", g, "versions", g["cov"].text(), None, text, HIGH))
    for g in added:
        text = f"{g['name']} ({g['cov'].text()}) is now listed under {_context(g)}."
        out.append(_os("added", g, "versions", None, g["cov"].text(), text, MEDIUM))
    return out


def _groups(frames: dict[str, pd.DataFrame]) -> list[Row] | None:
    def make() -> list[Row] | None:
        found = rows(frames, "os_versions", OS_COLUMNS)
        return None if found is None else _os_groups(found)

    return derived(frames, "os_groups", make)


def _os_groups(items: list[Row]) -> list[Row]:
    grouped: dict[tuple[str, str, str], list[Row]] = defaultdict(list)
    for r in items:
        grouped[(norm(r["context"]), norm(r["environment"]), norm(r["name"]))].append(r)
    out = []
    for (context_n, env_n, name_n), group in sorted(grouped.items()):
        first = group[0]
        out.append(
            {
                "context": first["context"],
                "environment": first["environment"],
                "name": first["name"],
                "context_n": context_n,
                "aspect_n": loose(context_n.rsplit(" / ", 1)[-1]),
                "env_n": env_n,
                "name_n": name_n,
                "cov": versions.coverage(group),
                "note": sorted({str(r["note"]) for r in group if r["note"]}, key=norm),
                "based_on": sorted({str(r["based_on"]) for r in group if r["based_on"]}, key=norm),
            }
        )
    return out


def _rescoped(
    removed: list[Row], added: list[Row], before: list[Row], after: list[Row]
) -> tuple[list[tuple[Row, Row, int]], list[Row], list[Row]]:
    """A list that named no environment (it applies to all) and the same list now repeated in
    some environments' tabs (or the reverse) are the same list: compare, do not add or remove."""
    return rescope(removed, added, before, after, lambda g: (g["aspect_n"], g["name_n"]), lambda g: bool(g["env_n"]))


def _context(g: Row) -> str:
    return f"{g['context']}" + (f" ({g['environment']})" if g["environment"] else "")


def _compare_os(o: Row, n: Row) -> list[Change]:
    out = []
    kind = versions.compare(o["cov"], n["cov"])
    if kind is not None:
        verb = {"extended": "extended", "narrowed": "narrowed", "changed": "changed"}[kind]
        text = f"{n['name']} versions under {_context(n)} {verb} from {o['cov'].text()} to {n['cov'].text()}."
        severity = HIGH if kind == "narrowed" else MEDIUM
        out.append(_os(kind, n, "versions", o["cov"].text(), n["cov"].text(), text, severity))
    for col in ("based_on", "note"):
        if {norm(x) for x in o[col]} != {norm(x) for x in n[col]}:
            a, b = "; ".join(o[col]) or None, "; ".join(n[col]) or None
            label = "based-on note" if col == "based_on" else "note"
            text = f"The {label} of {n['name']} under {_context(n)} changed from {quote(a) if a else 'none'} to {quote(b) if b else 'none'}."
            out.append(_os("changed", n, col, a, b, text, LOW))
    return out


def _os(kind: str, g: Row, field: str, old: Any, new: Any, summary: str, severity: str) -> Change:
    return Change(
        kind=kind,
        dataset="os_versions",
        environment=g["environment"],
        subject=g["name"],
        field=field,
        old=old,
        new=new,
        summary=summary,
        severity=severity,
    )
