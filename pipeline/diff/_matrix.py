"""Typed changes in the generic ``support`` dataset, for every page (pure).

Two revisions' ``support`` frames in, change records (:class:`~pipeline.diff._common.Change`,
``dataset="support"``) out. A cell is identified by (section, tab, row label, column label) compared
as ``norm`` text, duplicates pairing in page order. Cells left over pair again by (tab, row label,
column label), then by (section, tab, row label, column position), then by (tab, row label, column
position): renaming a section or a column header is not every cell of it removed and added. (Only
leftovers pair this way: a column inserted or dropped leaves nothing on the other side to pair with.)

Kinds, by the state ladder Not supported = Not applicable < Preview < GA = Supported:

- ``promoted`` (medium) / ``demoted`` (high): the state moved up / down the ladder;
- ``state_changed`` (medium): any other state change (to or from Value, Unknown, an empty cell, or
  between two states of one rung: Supported -> GA, Not supported -> Not applicable);
- ``note_changed`` (low): same state, another qualifier;
- ``attribute_changed`` (medium): a value cell (state Value) says something else ("Defender for
  Servers required": "Yes" -> "No", a permission);
- ``changed`` (low): same state and qualifier in other words ("✔" -> "Yes");
- ``footnote_changed`` (low): the footnotes the cell cites;
- ``added`` (medium) / ``removed`` (high; medium for an empty or value cell): a cell appeared or went.

Change fields: ``feature`` = row label, ``resource`` = column label (the newer revision's),
``subject`` = section (and tab),
``field`` = state, qualifier, raw or footnotes. The change id is made from these (as for every
dataset), so the same change seen twice is one change.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..vocabulary import NOT_APPLICABLE, NOT_SUPPORTED, SUPPORTED, VALUE
from ._common import (
    HIGH,
    LOW,
    MEDIUM,
    Change,
    Row,
    derived,
    footnote_edits,
    footnote_sentence,
    match,
    norm,
    quote,
    rows,
    show,
)

if TYPE_CHECKING:
    import pandas as pd

DATASET = "support"
COLUMNS = ("page", "section", "tab", "row_label", "column", "column_label", "raw", "state", "qualifier", "footnotes")
RANK = {NOT_SUPPORTED: 0, NOT_APPLICABLE: 0, "Preview": 1, "GA": 2, SUPPORTED: 2}


def matrix_changes(old: dict[str, pd.DataFrame], new: dict[str, pd.DataFrame]) -> list[Change]:
    """The changes between two revisions' ``support`` datasets; none when either side has none."""
    before, after = _rows(old), _rows(new)
    if before is None or after is None:
        return []
    pairs, removed, added = match(before, after, [_cell, _cell_any_section, _renamed_column, _renamed_both])
    out: list[Change] = []
    for o, n, _ in pairs:
        out.extend(compare_cells(o, n))
    out.extend(_presence("removed", r) for r in removed)
    out.extend(_presence("added", r) for r in added)
    return out


def support_diff(old: pd.DataFrame, new: pd.DataFrame) -> list[Change]:
    """:func:`matrix_changes` of two ``support`` frames."""
    return matrix_changes({DATASET: old}, {DATASET: new})


def _rows(frames: dict[str, pd.DataFrame]) -> list[Row] | None:
    # its own cache key: "support" is taken by the feature_support rows (diff/_support.py)
    return derived(frames, "matrix", lambda: rows(frames, DATASET, COLUMNS))


def _cell(r: Row) -> tuple[str, str, str, str]:
    return (norm(r["section"]), norm(r["tab"]), norm(r["row_label"]), norm(r["column_label"]))


def _cell_any_section(r: Row) -> tuple[str, str, str]:
    return (norm(r["tab"]), norm(r["row_label"]), norm(r["column_label"]))


def _renamed_column(r: Row) -> tuple[str, str, str, int]:
    return (norm(r["section"]), norm(r["tab"]), norm(r["row_label"]), int(r["column"]))


def _renamed_both(r: Row) -> tuple[str, str, int]:
    return (norm(r["tab"]), norm(r["row_label"]), int(r["column"]))


def compare_cells(o: Row, n: Row) -> list[Change]:
    """What changed between two versions of one cell."""
    out: list[Change] = []
    if o["state"] != n["state"]:
        kind, severity = _state_kind(o["state"], n["state"])
        verb = {"promoted": "was promoted", "demoted": "was demoted"}.get(kind, "changed state")
        text = f"{_where(n)} {verb} from {_state_text(o)} to {_state_text(n)}."
        out.append(_change(kind, severity, n, "state", o["state"], n["state"], text))
    elif norm(o["qualifier"]) != norm(n["qualifier"]):
        text = f"{_where(n)} is still {show(n['state'])}, now {_qualified(n)} (was {_qualified(o)})."
        out.append(_change("note_changed", LOW, n, "qualifier", o["qualifier"], n["qualifier"], text))
    elif norm(o["raw"]) != norm(n["raw"]):
        if n["state"] == VALUE:
            text = f"{_where(n)} changed from {quote(o['raw'])} to {quote(n['raw'])}."
            out.append(_change("attribute_changed", MEDIUM, n, "raw", o["raw"], n["raw"], text))
        else:
            text = f"{_where(n)} is worded {quote(n['raw'])} instead of {quote(o['raw'])} ({show(n['state'])})."
            out.append(_change("changed", LOW, n, "raw", o["raw"], n["raw"], text))
    for before, after in footnote_edits(o["footnotes"] or [], n["footnotes"] or []):
        text = footnote_sentence(_where(n), before, after)
        out.append(_change("footnote_changed", LOW, n, "footnotes", before, after, text))
    return out


def _state_kind(old: str | None, new: str | None) -> tuple[str, str]:
    a, b = RANK.get(old or ""), RANK.get(new or "")
    if a is None or b is None or a == b:
        return "state_changed", MEDIUM
    return ("promoted", MEDIUM) if b > a else ("demoted", HIGH)


def _presence(kind: str, r: Row) -> Change:
    if kind == "removed":
        severity = MEDIUM if r["state"] in (None, VALUE) else HIGH
        text = f"{_where(r)} was removed (it said {quote(r['raw']) if r['raw'] else 'nothing'})."
        return _change(kind, severity, r, None, r["raw"], None, text)
    text = f"{_where(r)} was added: {quote(r['raw']) if r['raw'] else 'empty'} ({show(r['state'])})."
    return _change(kind, MEDIUM, r, None, None, r["raw"], text)


def _change(kind: str, severity: str, r: Row, field: str | None, old: Any, new: Any, summary: str) -> Change:
    return Change(
        kind=kind,
        dataset=DATASET,
        summary=summary,
        severity=severity,
        feature=r["row_label"],
        resource=r["column_label"],
        subject=_scope(r),
        field=field,
        old=None if old is None else str(old),
        new=None if new is None else str(new),
    )


def _scope(r: Row) -> str | None:
    return " / ".join(p for p in (r["section"], r["tab"]) if p) or None


def _where(r: Row) -> str:
    scope = _scope(r)
    return f"{quote(r['row_label'])} × {quote(r['column_label'])}" + (f" ({scope})" if scope else "")


def _state_text(r: Row) -> str:
    if r["state"] is None:
        return "an empty cell"
    if r["state"] == VALUE:
        return quote(r["raw"])
    return _qualified(r)


def _qualified(r: Row) -> str:
    state = show(r["state"])
    return f"{state} ({r['qualifier']})" if r["qualifier"] else state
