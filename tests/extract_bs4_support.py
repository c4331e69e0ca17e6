"""Today's (0.x) extractor over a BeautifulSoup tree: the reference the lxml-native walker must equal.

A frozen copy of ``pipeline/extract/__init__.py`` as it was before the walker read lxml's tree directly
(``tests/test_extract_identity.py`` compares the two document models on every corpus revision).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from bs4 import Tag
from bs4.element import PageElement

from pipeline.errors import ExtractError
from pipeline.extract._locate import locate
from pipeline.model import ALERT_KINDS, Block, Cell, Document, Footnote, Line, Note, Scope, Table
from tests.soup_support import clean, flatten, flatten_nodes, footnote_ref, soup_from_lxml


def extract_bs4(body: bytes | str) -> Document:
    """Parse one Learn article page into its document model.

    Raises :class:`ExtractError` when the bytes are not the article: not HTML,
    no article body (a sign-in or error page), truncated, no tables, or a table
    without a header row.
    """
    raw = body.encode("utf-8") if isinstance(body, str) else body
    meta, blocks = locate(raw)
    containers = [c for c in soup_from_lxml(blocks).contents if isinstance(c, Tag)]
    walker = _Walker()
    for container in containers:
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

    def walk(self, node: Tag) -> None:
        for child in node.children:
            if isinstance(child, Tag):
                self._visit(child)

    def _visit(self, tag: Tag) -> None:
        name = tag.name
        if name == "h1":
            self.h1 = self.h1 or clean(tag.get_text())
        elif name == "h2":
            self.state.section = clean(tag.get_text())
            self.state.subheading = None
            self.sections.append(self.state.section)
        elif name in ("h3", "h4"):
            self.state.subheading = clean(tag.get_text())
        elif name == "table":
            self._table(tag)
        elif name == "div" and _alert_kind(tag):
            self._note(tag)
        elif name == "div" and "tabGroup" in (tag.get("class") or []):
            self._tab_group(tag)
        elif name == "p":
            self._paragraph(tag)
        elif name in ("ul", "ol"):
            flat_items = tuple(line for li in tag.find_all("li", recursive=False) for line in _item_lines(li))
            self.blocks.append(Block("list", self.state.scope(), clean(tag.get_text(" ")), flat_items, self._next()))
        else:
            self.walk(tag)

    def _tab_group(self, group: Tag) -> None:
        # Learn: div.tabGroup > ul[role=tablist] > li > a[role=tab], and div.tabGroup > section[role=tabpanel];
        # walk children rather than searching the whole group (bs4's find_all is slow on big panels)
        parts = _children(group)
        tablists = [c for c in parts if c.get("role") == "tablist"] or [c for c in parts if c.name == "ul"]
        labels = [clean(a.get_text()) for ul in tablists for a in ul.find_all("a") if a.get("role") == "tab"]
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

    def _table(self, tag: Tag) -> None:
        index = len(self.tables)
        head_rows: list[Tag] = []
        body_rows: list[Tag] = []
        # direct children only: bs4's find_all is slow, and a nested table is not ours
        for part in _children(tag):
            if part.name == "tr":
                body_rows.append(part)
            elif part.name in ("thead", "tbody", "tfoot"):
                found = [tr for tr in _children(part) if tr.name == "tr"]
                (head_rows if part.name == "thead" else body_rows).extend(found)
        header_row = head_rows[0] if head_rows else None
        if header_row is None and body_rows and all(c.name == "th" for c in _children(body_rows[0])):
            header_row, body_rows = body_rows[0], body_rows[1:]
        header_cells = [c for c in _children(header_row) if c.name in ("th", "td")] if header_row else []
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
                if td.name in ("td", "th"):
                    flat = flatten(td)
                    cells.append(
                        Cell(flat.text(), flat.footnotes(), flat.anchors(), tuple(flat.links), flat.as_lines())
                    )
            rows.append(tuple(cells))
        self.tables.append(
            Table(index, self.state.scope(), tuple(headers), tuple(header_fns), tuple(header_anchors), tuple(rows))
        )
        self.table_positions.append(self._next())

    def _note(self, tag: Tag) -> None:
        kind = _alert_kind(tag) or "NOTE"
        parts = [c for c in tag.children if isinstance(c, Tag)]
        # the first <p> is the alert's own label ("Note"), not its content
        if parts and parts[0].name == "p" and clean(parts[0].get_text()).upper() == kind:
            parts = parts[1:]
        texts = [flatten(p).text() for p in parts]
        items = tuple(clean(li.get_text(" ")) for p in parts for li in p.find_all("li"))
        self.notes.append(Note(kind, clean(" ".join(texts)), self.state.scope(), items))
        self._next()

    def _paragraph(self, tag: Tag) -> None:
        first = next((c for c in tag.children if not (isinstance(c, str) and not c.strip())), None)
        if isinstance(first, Tag) and first.name == "sup" and first.find("a", attrs={"name": True}) is not None:
            self._footnote_paragraph(tag)
            return
        flat = flatten(tag)
        if flat.text():
            self.blocks.append(Block("p", self.state.scope(), flat.text(), flat.as_lines(), self._next()))

    def _footnote_paragraph(self, tag: Tag) -> None:
        # one <p> may hold several definitions separated by <br>
        current: list[PageElement] = []
        chunks: list[tuple[Tag, list[PageElement]]] = []
        for child in tag.children:
            if isinstance(child, Tag) and child.name == "sup" and child.find("a", attrs={"name": True}) is not None:
                current = []
                chunks.append((child, current))
            elif chunks:
                current.append(child)
        for sup, rest in chunks:
            anchor_tag = sup.find("a", attrs={"name": True})
            anchor = str(anchor_tag["name"]) if isinstance(anchor_tag, Tag) else ""
            flat = flatten_nodes(node for node in rest if not (isinstance(node, Tag) and footnote_ref(node)))
            footnote = Footnote(anchor, clean(sup.get_text()), flat.text(), self.state.scope(), None, tuple(flat.links))
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


def _children(tag: Tag) -> list[Tag]:
    return [c for c in tag.children if isinstance(c, Tag)]


def _table_anchors(table: Table) -> set[str]:
    anchors = {a for group in table.header_anchors for a in group}
    anchors.update(a for row in table.rows for cell in row for a in cell.anchors)
    return anchors


def _item_lines(li: Tag) -> tuple[Line, ...]:
    flat = flatten(li)
    return (Line(flat.text(), flat.footnotes()),) if flat.text() else ()


def _alert_kind(tag: Tag) -> str | None:
    for cls in tag.get("class") or []:
        if cls.upper() == cls and cls in ALERT_KINDS:
            return cls
    return None
