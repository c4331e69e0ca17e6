"""Extract the article's document model from a Learn page (pure: bytes in, data out).

Selection is by meaning, not position: the article body is the content of
``<main>`` minus the site chrome (the hidden sign-in notice, the "In this
article" outline, the feedback section, scripts).  Tab panels are hidden in
the markup but are data, so hidden-ness is never used to skip content.

Two passes over one lxml tree: ``_locate`` parses the page and cuts out the
article; the walker below reads the article's elements in document order,
keeping the heading/tab scope a reader sees.  The walker reads lxml directly
(building a BeautifulSoup tree first cost as much as all of
``pandas.read_html``); ``tests/test_extract_identity.py`` proves the document
model equals the former BeautifulSoup walker's on every corpus revision.

Public surface: :func:`extract` (bytes -> :class:`~pipeline.model.Document`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from ..errors import ExtractError
from ..model import ALERT_KINDS, Block, Cell, Document, Footnote, Line, Note, Scope, Table
from ._locate import locate
from ._text import Element, Node, classes, clean, first_descendant, flatten, flatten_nodes, footnote_ref, nodes, text_of
from ._text import tags as _children


def extract(body: bytes | str) -> Document:
    """Parse one Learn article page into its document model.

    Raises :class:`ExtractError` when the bytes are not the article: not HTML,
    no article body (a sign-in or error page), truncated, no tables, or a table
    without a header row.
    """
    raw = body.encode("utf-8") if isinstance(body, str) else body
    meta, blocks = locate(raw)
    walker = _Walker()
    for container in blocks:
        walker.walk(container)
    if not walker.tables:
        raise ExtractError(f"the article {meta.title!r} has no tables")
    h1 = walker.h1 or meta.h1
    return Document(
        meta=replace(meta, h1=h1),
        tables=tuple(walker.tables),
        footnotes=tuple(walker.assign_footnotes()),
        notes=tuple(walker.notes),
        blocks=tuple(walker.blocks),
        tab_groups=tuple(walker.tab_groups),
        sections=tuple(walker.sections),
        table_positions=tuple(walker.table_positions),
    )


@dataclass
class _State:
    section: str | None = None
    subheading: str | None = None
    tab: str | None = None
    panel: str | None = None

    def scope(self) -> Scope:
        return Scope(self.section, self.tab, self.subheading, self.panel)


class _Walker:
    def __init__(self) -> None:
        self.state = _State()
        self.tables: list[Table] = []
        self.table_positions: list[int] = []
        self.notes: list[Note] = []
        self.blocks: list[Block] = []
        self.sections: list[str] = []
        self.tab_groups: list[tuple[str, ...]] = []
        self.h1: str | None = None
        self._footnotes: list[tuple[int, Footnote]] = []  # (position, footnote)
        self._position = 0

    def _next(self) -> int:
        self._position += 1
        return self._position

    def walk(self, node: Element) -> None:
        for child in node:
            if isinstance(child.tag, str):
                self._visit(child)

    def _visit(self, tag: Element) -> None:
        name = tag.tag
        if name == "h1":
            self.h1 = self.h1 or clean(text_of(tag))
        elif name == "h2":
            self.state.section = clean(text_of(tag))
            self.state.subheading = None
            self.sections.append(self.state.section)
        elif name in ("h3", "h4"):
            self.state.subheading = clean(text_of(tag))
        elif name == "table":
            self._table(tag)
        elif name == "div" and _alert_kind(tag):
            self._note(tag)
        elif name == "div" and "tabGroup" in classes(tag):
            self._tab_group(tag)
        elif name == "p":
            self._paragraph(tag)
        elif name in ("ul", "ol"):
            flat_items = tuple(line for li in tag.iterchildren("li") for line in _item_lines(li))
            self.blocks.append(Block("list", self.state.scope(), clean(text_of(tag, " ")), flat_items, self._next()))
        else:
            self.walk(tag)

    def _tab_group(self, group: Element) -> None:
        # Learn: div.tabGroup > ul[role=tablist] > li > a[role=tab], and div.tabGroup > section[role=tabpanel]
        parts = _children(group)
        tablists = [c for c in parts if c.get("role") == "tablist"] or [c for c in parts if c.tag == "ul"]
        labels = [clean(text_of(a)) for ul in tablists for a in ul.iterdescendants("a") if a.get("role") == "tab"]
        panels = [c for c in parts if c.get("role") == "tabpanel"]
        self.tab_groups.append(tuple(labels))
        group_no = len(self.tab_groups)
        saved = _State(**vars(self.state))
        for i, panel in enumerate(panels):
            label = labels[i] if i < len(labels) else str(panel.get("data-tab") or f"tab {i + 1}")
            self.state = _State(saved.section, saved.subheading, label, f"{group_no}:{i}")
            self.walk(panel)
        # headings inside a panel never carry past the group's end
        self.state = saved

    def _table(self, tag: Element) -> None:
        index = len(self.tables)
        head_rows: list[Element] = []
        body_rows: list[Element] = []
        # direct children only: a nested table is not ours
        for part in _children(tag):
            if part.tag == "tr":
                body_rows.append(part)
            elif part.tag in ("thead", "tbody", "tfoot"):
                found = [tr for tr in _children(part) if tr.tag == "tr"]
                (head_rows if part.tag == "thead" else body_rows).extend(found)
        header_row = head_rows[0] if head_rows else None
        if header_row is None and body_rows and all(c.tag == "th" for c in _children(body_rows[0])):
            header_row, body_rows = body_rows[0], body_rows[1:]
        header_cells = [c for c in _children(header_row) if c.tag in ("th", "td")] if header_row is not None else []
        if not header_cells:
            raise ExtractError("a table has no header row", table=index)
        headers, header_fns, header_anchors = [], [], []
        for th in header_cells:
            flat = flatten(th)
            headers.append(flat.text())
            header_fns.append(flat.footnotes())
            header_anchors.append(flat.anchors())
        rows: list[tuple[Cell, ...]] = []
        for tr in body_rows:
            cells = []
            for td in _children(tr):
                if td.tag in ("td", "th"):
                    cells.append(_body_cell(td))
            rows.append(tuple(cells))
        self.tables.append(
            Table(index, self.state.scope(), tuple(headers), tuple(header_fns), tuple(header_anchors), tuple(rows))
        )
        self.table_positions.append(self._next())

    def _note(self, tag: Element) -> None:
        kind = _alert_kind(tag) or "NOTE"
        parts = _children(tag)
        # the first <p> is the alert's own label ("Note"), not its content
        if parts and parts[0].tag == "p" and clean(text_of(parts[0])).upper() == kind:
            parts = parts[1:]
        texts = [flatten(p).text() for p in parts]
        items = tuple(clean(text_of(li, " ")) for p in parts for li in p.iterdescendants("li"))
        self.notes.append(Note(kind, clean(" ".join(texts)), self.state.scope(), items))
        self._next()

    def _paragraph(self, tag: Element) -> None:
        first = next((c for c in nodes(tag) if not (isinstance(c, str) and not c.strip())), None)
        if _is_anchor_sup(first):
            self._footnote_paragraph(tag)
            return
        flat = flatten(tag)
        if flat.text():
            self.blocks.append(Block("p", self.state.scope(), flat.text(), flat.as_lines(), self._next()))

    def _footnote_paragraph(self, tag: Element) -> None:
        # one <p> may hold several definitions separated by <br>
        current: list[Node] = []
        chunks: list[tuple[Element, list[Node]]] = []
        for child in nodes(tag):
            if not isinstance(child, str) and _is_anchor_sup(child):
                current = []
                chunks.append((child, current))
            elif chunks:
                current.append(child)
        for sup, rest in chunks:
            anchor_tag = first_descendant(sup, "a", "name")
            anchor = (anchor_tag.get("name") or "") if anchor_tag is not None else ""
            # a reference inside a definition is not its text
            flat = flatten_nodes(node for node in rest if not _is_ref(node))
            footnote = Footnote(anchor, clean(text_of(sup)), flat.text(), self.state.scope(), None, tuple(flat.links))
            self._footnotes.append((self._next(), footnote))

    def assign_footnotes(self) -> list[Footnote]:
        """Tie each definition to the table it annotates: the nearest table before it,
        in the same tab panel, that cites its anchor (else the nearest table before it)."""
        out = []
        for position, fn in self._footnotes:
            before = [
                t
                for t, pos in zip(self.tables, self.table_positions)
                if pos < position and t.scope.panel == fn.scope.panel
            ]
            citing = [t for t in before if fn.anchor in _table_anchors(t)]
            target = citing[-1] if citing else (before[-1] if before else None)
            out.append(replace(fn, table_index=target.index if target else None))
        return out


def _is_anchor_sup(node: Node | None) -> bool:
    """``<sup><a name="footnote1">`` opens a footnote definition."""
    if node is None or isinstance(node, str) or node.tag != "sup":
        return False
    return first_descendant(node, "a", "name") is not None


def _is_ref(node: Node) -> bool:
    return not isinstance(node, str) and node.tag == "sup" and footnote_ref(node) is not None


def _table_anchors(table: Table) -> set[str]:
    anchors = {a for group in table.header_anchors for a in group}
    anchors.update(a for row in table.rows for cell in row for a in cell.anchors)
    return anchors


def _body_cell(td: Element) -> Cell:
    if len(td) == 0:
        # a cell of plain text (most of them: "Yes", "GA"): what flatten would find, without the walk
        text = clean(td.text or "")
        return Cell(text, (), (), (), (Line(text),) if text else ())
    flat = flatten(td)
    return Cell(flat.text(), flat.footnotes(), flat.anchors(), tuple(flat.links), flat.as_lines())


def _item_lines(li: Element) -> tuple[Line, ...]:
    flat = flatten(li)
    return (Line(flat.text(), flat.footnotes()),) if flat.text() else ()


def _alert_kind(tag: Element) -> str | None:
    for cls in classes(tag):
        if cls.upper() == cls and cls in ALERT_KINDS:
            return cls
    return None
