"""Page notes (NOTE, CAUTION, IMPORTANT, TIP, WARNING boxes): added, removed, reworded."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING, Any

from ._common import LOW, Change, Row, derived, match, norm, quote, rows

if TYPE_CHECKING:
    import pandas as pd

NOTE_COLUMNS = ("kind", "text", "section", "tab")


def note_changes(old: dict[str, pd.DataFrame], new: dict[str, pd.DataFrame]) -> list[Change]:
    before, after = _notes(old), _notes(new)
    if before is None or after is None:
        return []
    levels: list[Callable[[Row], Hashable]] = [
        lambda r: (norm(r["kind"]), r["env_n"], norm(r["text"])),
        # the same note moved to another section or tab: not a change
        lambda r: (norm(r["kind"]), norm(r["text"])),
        lambda r: norm(r["text"]),
    ]
    pairs, removed, added = match(before, after, levels)
    out: list[Change] = []
    for o, n, _ in pairs:
        if norm(o["kind"]) != norm(n["kind"]):
            text = f"{_box(o['kind']).capitalize()} became {_box(n['kind'])}: {quote(n['text'])}."
            out.append(_note("changed", n, "kind", o["kind"], n["kind"], text))
    for o, n in _reworded(removed, added):
        removed.remove(o)
        added.remove(n)
        text = f"{_box(n['kind']).capitalize()}{_scope(n)} changed from {quote(o['text'])} to {quote(n['text'])}."
        out.append(_note("changed", n, "text", o["text"], n["text"], text))
    for r in removed:
        out.append(
            _note(
                "removed",
                r,
                "text",
                r["text"],
                None,
                f"{_box(r['kind']).capitalize()}{_scope(r)} was removed: {quote(r['text'])}.",
            )
        )
    for r in added:
        out.append(
            _note(
                "added",
                r,
                "text",
                None,
                r["text"],
                f"{_box(r['kind']).capitalize()}{_scope(r)} was added: {quote(r['text'])}.",
            )
        )
    return out


def _notes(frames: dict[str, pd.DataFrame]) -> list[Row] | None:
    def make() -> list[Row] | None:
        found = rows(frames, "notes", NOTE_COLUMNS)
        if found is None:
            return None
        found = [dict(r) for r in found]
        _with_environment(found, frames)
        return found

    return derived(frames, "notes", make)


def _with_environment(items: list[Row], frames: dict[str, pd.DataFrame]) -> None:
    """A note in a tab belongs to the tab's environment (as the features there do), so a renamed
    tab label that maps to the same environment is the same place."""
    labels = {
        norm(r["environment_label"]): r["environment"]
        for r in rows(frames, "features", ("environment_label", "environment")) or []
        if r["environment_label"]
    }
    for r in items:
        r["environment"] = labels.get(norm(r["tab"])) or labels.get(norm(r["section"]))
        r["env_n"] = norm(r["environment"]) if r["environment"] else f"tab:{norm(r['tab'])}"


_BOXES = {
    "NOTE": "a note",
    "TIP": "a tip",
    "CAUTION": "a caution",
    "WARNING": "a warning",
    "IMPORTANT": "an important note",
}


def _box(kind: Any) -> str:
    """How a reader names the alert box: "a note", "an important note"."""
    return _BOXES.get(str(kind).upper(), f"a {str(kind).lower()} box")


def _scope(r: Row) -> str:
    parts = [str(r["section"])] if r["section"] else []
    if r["environment"] or r["tab"]:
        parts.append(str(r["environment"] or r["tab"]))
    return f" under {' / '.join(parts)}" if parts else ""


def _reworded(removed: list[Row], added: list[Row]) -> list[tuple[Row, Row]]:
    """Pair a removed note with an added one in the same place when most of the words are the same."""
    scored = []
    for i, o in enumerate(removed):
        for j, n in enumerate(added):
            if norm(o["kind"]) != norm(n["kind"]) or o["env_n"] != n["env_n"]:
                continue
            ratio = difflib.SequenceMatcher(None, norm(o["text"]), norm(n["text"]), autojunk=False).ratio()
            if ratio >= 0.6:
                scored.append((-ratio, i, j))
    used_i: set[int] = set()
    used_j: set[int] = set()
    out = []
    for _, i, j in sorted(scored):
        if i not in used_i and j not in used_j:
            used_i.add(i)
            used_j.add(j)
            out.append((removed[i], added[j]))
    return out


def _note(kind: str, r: Row, field: str, old: Any, new: Any, summary: str) -> Change:
    return Change(
        kind=kind,
        dataset="notes",
        environment=r["environment"],
        subject=r["text"],
        field=field,
        old=old,
        new=new,
        summary=summary,
        severity=LOW,
    )
