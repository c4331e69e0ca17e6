"""Aspect/Details tables and bulleted support lists -> ``support_items`` rows (one per bullet).

A Details cell is read line by line (its ``<br>`` lines; several Details
columns, as one revision's stray pipe made, read as one sequence):

* a bold line, or a short plain line (at most 8 words) that starts with
  "Supported"/"Unsupported"/"Not supported" and is not a bullet, is a status line. "Supported" and
  "Unsupported" ("Not supported") are canonical; any other status phrase is
  kept as written ("Supported via Arc enabled Kubernetes"). Its footnotes
  apply to every bullet under it.
* a line starting with "*", "•" or "-" is a bullet: one item. An empty bullet
  is skipped (flagged "empty bullet").
* a plain line in a cell that has bullets continues the bullet before it
  ("... Docker scratch images" + "is currently unsupported": flagged
  "continuation line"); in a cell without bullets every line is an item.

An item with no status line above it gets "Supported" when its context
obviously lists supported things (the aspect, column header or heading says
"support", "operating systems" or "packages"), else "Unspecified"; both are
flagged "no status line".

Also read: tables of kind "other" whose columns are lists (one revision's
"Language specific packages | OS packages" table: aspect = column header) and
bulleted lists (``Block`` kind "list") whose heading names what they list
("operating systems", "distributions", "packages", "registries") or whose
introducing paragraph ends with ":" and says "support" (aspect = the
subheading, else the section; status "Supported"). A heading that only says
"Supported features by environment" is not enough.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from ..model import Block, Cell, Line, Scope, Table
from ._common import Context, clean, where

SUPPORTED = "Supported"
UNSUPPORTED = "Unsupported"
UNSPECIFIED = "Unspecified"

_BULLET = re.compile(r"^(?:[*•\-–·]+)\s*")
_STATUS = re.compile(r"^(?:supported|unsupported|not supported)\b", re.I)
_STATUS_WORDS = 8  # a longer plain line starting with "Supported" is a sentence, not a status
_SUPPORT_CONTEXT = re.compile(r"\bsupport(?:ed|s|ing)?\b|\boperating systems?\b|\bpackages\b", re.I)
_LIST_HEADING = re.compile(r"\boperating systems?\b|\bdistributions?\b|\bpackages\b|\bregistries\b", re.I)
_LIST_INTRO = re.compile(r"\bsupport(?:ed|s|ing)?\b", re.I)


def _status(text: str) -> str:
    value = clean(text).rstrip(":").strip()
    lowered = value.lower()
    if lowered == "supported":
        return SUPPORTED
    if lowered in ("unsupported", "not supported"):
        return UNSUPPORTED
    return value


def _line_anchors(cells: Sequence[Cell]) -> list[tuple[Line, tuple[str, ...]]]:
    """Each line with the href anchors of its markers (a cell lists its anchors in line order)."""
    out = []
    for cell in cells:
        pos = 0
        for line in cell.lines:
            n = len(line.footnotes)
            out.append((line, tuple(cell.anchors[pos : pos + n])))
            pos += n
    return out


def _items(
    lines: list[tuple[Line, tuple[str, ...]]], default_status: str
) -> tuple[list[tuple[str, str, list[str], list[str]]], list[str]]:
    """(status, item, markers, anchors) per item, and the oddity kinds met."""
    bullets = any(_BULLET.match(line.text) and not line.strong for line, _ in lines)
    status: str | None = None
    status_refs: tuple[list[str], list[str]] = ([], [])
    items: list[tuple[str, str, list[str], list[str]]] = []
    odd: list[str] = []
    open_item = False  # a bullet under the current status can take continuation lines
    for line, anchors in lines:
        text = line.text
        is_bullet = bool(_BULLET.match(text))
        if line.strong or (not is_bullet and _STATUS.match(text) and len(text.split()) <= _STATUS_WORDS):
            status, status_refs, open_item = _status(text), (list(line.footnotes), list(anchors)), False
            continue
        if is_bullet:
            text = _BULLET.sub("", text, count=1).strip()
            if not text:
                odd.append("empty bullet")
                continue
        elif bullets and open_item:
            s, item, markers, refs = items[-1]
            items[-1] = (s, f"{item} {text}", markers + list(line.footnotes), refs + list(anchors))
            odd.append("continuation line")
            continue
        if status is None and "no status line" not in odd:
            odd.append("no status line")
        items.append(
            (
                status or default_status,
                text,
                status_refs[0] + list(line.footnotes),
                status_refs[1] + list(anchors),
            )
        )
        open_item = True
    return items, odd


def _default_status(*contexts: str | None) -> str:
    return SUPPORTED if any(c and _SUPPORT_CONTEXT.search(c) for c in contexts) else UNSPECIFIED


def _emit(
    ctx: Context,
    out: list[dict[str, Any]],
    scope: Scope,
    table_index: int | None,
    aspect: str,
    lines: list[tuple[Line, tuple[str, ...]]],
    default_status: str,
    extra_refs: tuple[Sequence[str], Sequence[str]] = ((), ()),
    *,
    position: int,
    listed: bool = False,
) -> None:
    environment, _ = ctx.environment(scope, required=False, position=position)
    items, odd = _items(lines, default_status)
    for kind in odd:
        if listed and kind == "no status line":
            continue  # a support list states its status in its heading or introduction
        ctx.flag(kind, where(scope, table_index), aspect)
    for status, item, markers, anchors in items:
        out.append(
            {
                "table_index": table_index,
                "section": scope.section,
                "environment": environment,
                "subheading": scope.subheading,
                "aspect": aspect,
                "status": status,
                "item": item,
                "footnotes": ctx.resolver.texts(
                    [*extra_refs[0], *markers], [*extra_refs[1], *anchors], table_index, scope
                ),
                "_tab": scope.tab,
            }
        )


def aspect_table(table: Table, ctx: Context, out: list[dict[str, Any]]) -> None:
    for cells in table.rows:
        if not cells:
            continue
        aspect_cell = cells[0]
        aspect = aspect_cell.value
        details = list(cells[1:])
        headers = " ".join(table.headers[1:])
        default = _default_status(aspect, headers, table.scope.subheading, table.scope.section)
        refs = (aspect_cell.footnotes, aspect_cell.anchors)
        position = ctx.table_position(table.index)
        _emit(ctx, out, table.scope, table.index, aspect, _line_anchors(details), default, refs, position=position)


def list_table(table: Table, ctx: Context, out: list[dict[str, Any]]) -> None:
    """A table whose columns are lists: the header is the aspect, each line an item."""
    for c, header in enumerate(table.headers):
        column = [cells[c] for cells in table.rows if c < len(cells)]
        if not any(len(cell.lines) > 1 for cell in column):
            continue
        default = _default_status(header, table.scope.subheading, table.scope.section)
        position = ctx.table_position(table.index)
        _emit(ctx, out, table.scope, table.index, clean(header), _line_anchors(column), default, position=position)


def is_list_table(table: Table) -> bool:
    return table.kind == "other" and any(len(cell.lines) > 1 for cells in table.rows for cell in cells)


def support_lists(ctx: Context, out: list[dict[str, Any]]) -> None:
    doc = ctx.document
    table_positions = set(doc.table_positions)
    previous: dict[int, Block] = {}
    ordered = sorted(doc.blocks, key=lambda b: b.position)
    for before, block in zip([None, *ordered], ordered):
        if before is not None and not any(before.position < p < block.position for p in table_positions):
            previous[block.position] = before
    for block in ordered:
        if block.kind != "list" or not block.items:
            continue
        heading = block.scope.subheading or block.scope.section or ""
        intro = previous.get(block.position)
        intro_text = intro.text if intro is not None and intro.kind == "p" else ""
        introduces = intro_text.rstrip().endswith(":") and bool(_LIST_INTRO.search(intro_text))
        if not (_LIST_HEADING.search(heading) or introduces):
            continue
        lines = [(Line(item.text, item.footnotes, False), _no_anchors(item)) for item in block.items]
        _emit(ctx, out, block.scope, None, heading, lines, SUPPORTED, position=block.position, listed=True)


def _no_anchors(line: Line) -> tuple[str, ...]:
    # list items keep only markers; their anchors are not recorded by the extractor
    return tuple("" for _ in line.footnotes)


def dedupe(rows: Iterable[dict[str, Any]], ctx: Context) -> list[dict[str, Any]]:
    seen: set[tuple[Any, ...]] = set()
    out = []
    for row in rows:
        key = (row["section"], row["environment"], row["subheading"], row["aspect"], row["status"], row["item"])
        if key in seen:
            ctx.flag("duplicate support item", " / ".join(str(k) for k in key[:4] if k), row["item"])
            continue
        seen.add(key)
        out.append(row)
    return out
