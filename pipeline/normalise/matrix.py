"""Every page's tables as one long ``support`` dataset: one row per body cell that is not the row label (pure).

``support_frame(document, spec)`` works on any page, whatever its tables' shape (feature × cloud,
feature × machine type, capability × scope, service × capability); the containers page keeps its
richer datasets on top. The column roles come from the page spec (:class:`pipeline.pages.Columns`):
which column labels the rows, which columns hold states and which hold values.

The state vocabulary (:mod:`pipeline.vocabulary`, read by :func:`pipeline.normalise.states.support_state`),
decided once for every page:

- **GA**, **Preview**: a release state, as the containers page's feature tables have always read
  them ("General availability", "Public preview", "Limited preview", ...; the preview kind is kept in
  the qualifier, "Public preview").
- **Supported**: ✔ ✓ ✅ ☑, "Yes", "Supported": available, without a release state.
- **Not supported**: ✖ ✗ ✘ ❌, "X", "No", "Not supported", "Unsupported", "Not available", and a
  cell that is only a dash ("-", "—"): every one of these sits where another row has ✔ or GA, so the
  page means the same thing by all of them. (The containers page's release-state view calls this
  "Not available", its own word: ``parse_state`` maps Not supported and Not applicable to it.)
- **Not applicable**: "NA", "N/A", "Not applicable": the author's abbreviation is kept apart, since
  some pages use it where the question does not arise; for change detection it ranks with Not supported.
- **Value**: the cell is not a support statement: it starts with no state word ("Security Admin or
  Pricings/read", "Defender for Azure SQL"), or its column is a value column of the page spec
  ("Defender for Servers required", a permissions column), whatever its words.
- **Unknown**: a state word followed by wording the grammar does not know ("Supported via Arc"),
  or a cell of marks the vocabulary does not know ("??"). Never guessed: the raw text is kept.
- null: an empty cell (the page says nothing).

The qualifier is the rest of the cell after the state: after a mark anything ("✔ Available on:
Windows Server 2022 ..." -> Supported, "Available on: Windows Server 2022 ..."; "✔(supported
scenarios)" -> Supported, "supported scenarios"); after a word, a parenthetical or what follows a
"-"/":" ("Yes (Plan 2)" -> Supported, "Plan 2"; "GA (Activity monitoring)" -> GA, "Activity
monitoring"). Value and Unknown cells have no qualifier: ``raw`` carries them.

``footnotes`` holds the texts of the footnotes that qualify the cell, resolved within the table's
scope as the other datasets resolve them: the column header's, the row label's and the cell's own.
``cell_key`` is the cell's identity across revisions: section | tab | row label | column label,
compared as key text, with ``|#2``, ``|#3`` for a repeat of the same four within a revision.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import TYPE_CHECKING, Any

from ..model import Cell, Document, Table
from ..vocabulary import VALUE
from ._common import key_text
from .footnotes import FootnoteResolver
from .states import support_state

if TYPE_CHECKING:
    import pandas as pd

    from ..pages import Columns, PageSpec

_WS = re.compile(r"\s+")


def support_frame(document: Document, spec: PageSpec) -> pd.DataFrame:
    """The ``support`` dataset of one revision of the page ``spec`` describes."""
    from ..extract.datasets import frame

    return frame("support", support_columns(document, spec), nullable_ints=())


def support_columns(document: Document, spec: PageSpec) -> dict[str, list[Any]]:
    """The dataset as column lists (what :func:`support_frame` builds its frame from)."""
    cols: dict[str, list[Any]] = {name: [] for name in _COLUMNS}
    resolver = FootnoteResolver(document.footnotes)
    roles = _Roles(spec.columns)
    repeats: Counter[str] = Counter()
    for table in document.tables:
        width = authored_width(table)
        label_at = roles.row_label(table, width)
        state_column = [roles.is_state(table.headers[c]) for c in range(width)]
        # key parts and footnote presence per table and per column, not per cell
        scope_key = f"{key_text(table.scope.section)}|{key_text(table.scope.tab)}"
        column_keys = [key_text(table.headers[c]) for c in range(width)]
        header_marked = [
            bool(table.header_footnotes[c]) if c < len(table.header_footnotes) else False for c in range(width)
        ]
        scope = table.scope
        for r, row in enumerate(table.rows):
            label = _cell(row, label_at)
            row_key = f"{scope_key}|{key_text(label.value)}"
            for c in range(width):
                if c == label_at:
                    continue
                cell = _cell(row, c)
                column_label = table.headers[c]
                raw = _WS.sub(" ", cell.value).strip()
                state, qualifier = support_state(raw) if state_column[c] else (VALUE if raw else None, None)
                base = f"{row_key}|{column_keys[c]}"
                repeats[base] += 1
                cols["page"].append(spec.slug)
                cols["section"].append(scope.section)
                cols["tab"].append(scope.tab)
                cols["subheading"].append(scope.subheading)
                cols["table"].append(table.index)
                cols["row"].append(r)
                cols["row_label"].append(label.value)
                cols["column"].append(c)
                cols["column_label"].append(column_label)
                cols["raw"].append(raw or None)  # an empty cell has no text (CSV cannot tell "" from null)
                cols["state"].append(state)
                cols["qualifier"].append(qualifier)
                marked = header_marked[c] or label.footnotes or cell.footnotes
                cols["footnotes"].append(_footnotes(resolver, table, c, label, cell) if marked else [])
                cols["cell_key"].append(base if repeats[base] == 1 else f"{base}|#{repeats[base]}")
    return cols


_COLUMNS = (
    "page",
    "section",
    "tab",
    "subheading",
    "table",
    "row",
    "row_label",
    "column",
    "column_label",
    "raw",
    "state",
    "qualifier",
    "footnotes",
    "cell_key",
)


def authored_width(table: Table) -> int:
    """The table's columns without Learn's padding: a body row longer than the header row makes Learn
    add empty header cells at the end, which the author never wrote (the truth files leave them out)."""
    width = len(table.headers)
    while width > 1 and not table.headers[width - 1].strip():
        width -= 1
    return width


class _Roles:
    def __init__(self, columns: Columns) -> None:
        self._columns = columns
        self._headers = {key_text(h) for h in columns.row_label_headers}
        self._states = [re.compile(p, re.I) for p in columns.state_columns]
        self._values = [re.compile(p, re.I) for p in columns.value_columns]

    def row_label(self, table: Table, width: int) -> int:
        """The first column named by ``row_label_headers``, else column ``row_label`` (else the first)."""
        for c in range(width):
            if key_text(table.headers[c]) in self._headers:
                return c
        return self._columns.row_label if self._columns.row_label < width else 0

    def is_state(self, header: str) -> bool:
        text = _WS.sub(" ", header).strip()
        if any(p.search(text) for p in self._values):
            return False
        return not self._states or any(p.search(text) for p in self._states)


_EMPTY = Cell("")


def _cell(row: tuple[Cell, ...], c: int) -> Cell:
    # a body row shorter than the header: the missing cells read as empty, as a reader sees them
    return row[c] if c < len(row) else _EMPTY


def _footnotes(resolver: FootnoteResolver, table: Table, c: int, label: Cell, cell: Cell) -> list[str]:
    markers: list[str] = []
    anchors: list[str] = []
    header_markers = table.header_footnotes[c] if c < len(table.header_footnotes) else ()
    header_anchors = table.header_anchors[c] if c < len(table.header_anchors) else ()
    for found, links in (
        (header_markers, header_anchors),
        (label.footnotes, label.anchors),
        (cell.footnotes, cell.anchors),
    ):
        markers.extend(found)
        anchors.extend(links[i] if i < len(links) else "" for i in range(len(found)))
    if not markers:
        return []
    return list(dict.fromkeys(resolver.texts(markers, anchors, table.index, table.scope)))
