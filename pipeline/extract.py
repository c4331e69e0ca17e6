"""Extract the article's document model from a Learn page (pure: bytes in, data out).

Selection is by meaning, not position: the article body is the content of
``<main>`` minus the site chrome (the hidden sign-in notice, the "In this
article" outline, the feedback section, scripts).  Tab panels are hidden in
the markup but are data, so hidden-ness is never used to skip content.

Public surface: :func:`extract` (bytes -> :class:`~pipeline.model.Document`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from bs4 import BeautifulSoup, SoupStrainer, Tag
from bs4.element import PageElement

from ._text import clean, flatten, flatten_nodes, footnote_ref
from .errors import ExtractError
from .model import ALERT_KINDS, Block, Cell, Document, Footnote, Line, Note, PageMeta, Scope, Table

_SIGN_IN = "access to this page requires authorization"
_TITLE_SUFFIX = re.compile(r"\s*\|\s*Microsoft Learn\s*$")
_PRODUCT_SUFFIX = re.compile(r"\s+-\s+Microsoft [^-|]+$")
_CHROME_IDS = frozenset({"center-doc-outline", "site-user-feedback-footer", "article-metadata", "ms--ai-summary-cta"})
_HEADINGS = ("h2", "h3", "h4")


_KEEP = ["main", "title", "meta", "link"]


def extract(body: bytes | str) -> Document:
    """Parse one Learn article page into its document model.

    Raises :class:`ExtractError` when the bytes are not the article: not HTML,
    no article body (a sign-in or error page), truncated, no tables, or a table
    without a header row.
    """
    raw = body.encode("utf-8", "replace") if isinstance(body, str) else body
    if not raw.strip():
        raise ExtractError("empty body: expected an HTML page")
    head = raw[:2048].lower()
    if b"<html" not in head and b"<!doctype html" not in head:
        raise ExtractError("not an HTML page (no <html> element at the start of the body)")
    if b"</html>" not in raw[-4096:].lower():
        raise ExtractError("the page is truncated (no closing </html>); refusing a partial page")
    soup = BeautifulSoup(raw, "lxml", parse_only=SoupStrainer(_KEEP))
    meta = _page_meta(soup)
    containers = _article_containers(soup)
    if not containers:
        text = clean(soup.get_text(" "))[:80].lower()
        if _SIGN_IN in clean(soup.get_text(" ")).lower():
            raise ExtractError(
                "Learn served its sign-in notice ('Access to this page requires authorization'), not the article"
            )
        raise ExtractError(f"no article body found (title {meta.title!r}; starts {text!r})")
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


def _page_meta(soup: BeautifulSoup) -> PageMeta:
    metas: dict[str, str] = {}
    for tag in soup.find_all("meta"):
        name = tag.get("name") or tag.get("property")
        if name and tag.get("content") is not None:
            metas.setdefault(str(name), str(tag["content"]))
    canonical = None
    for link in soup.find_all("link", href=True):
        if "canonical" in (link.get("rel") or []):
            canonical = str(link["href"])
            break
    title_tag = soup.find("title")
    title = None
    if isinstance(title_tag, Tag):
        title = _PRODUCT_SUFFIX.sub("", _TITLE_SUFFIX.sub("", clean(title_tag.get_text()))) or None
    return PageMeta(
        title=title,
        canonical_url=canonical,
        ms_date=_iso_date(metas.get("ms.date")),
        updated_at=metas.get("updated_at"),
        git_commit_id=metas.get("git_commit_id"),
        document_id=metas.get("document_id"),
        locale=metas.get("locale"),
        original_content_git_url=metas.get("original_content_git_url"),
    )


def _iso_date(value: str | None) -> str | None:
    if not value:
        return None
    value = value.strip()
    m = re.match(r"(\d{4})-(\d{2})-(\d{2})", value)
    if m:
        return "-".join(m.groups())
    m = re.match(r"(\d{1,2})/(\d{1,2})/(\d{4})", value)
    if m:
        return f"{m.group(3)}-{int(m.group(1)):02d}-{int(m.group(2)):02d}"
    return value


def _is_chrome(tag: Tag) -> bool:
    if tag.has_attr("unauthorized-private-section"):
        return True
    if tag.get("id") in _CHROME_IDS:
        return True
    return tag.name in ("nav", "script", "style", "template", "footer", "button")


def _article_containers(soup: BeautifulSoup) -> list[Tag]:
    """The ``div.content`` blocks of ``<main>`` that hold the article (h1 and body)."""
    root = soup.find("main") or soup
    found: list[Tag] = []
    for div in root.find_all("div", class_="content"):
        if any(isinstance(p, Tag) and _is_chrome(p) for p in div.parents):
            continue
        if any(isinstance(p, Tag) and p in found for p in div.parents):
            continue
        found.append(div)
    # a body is more than the h1 holder: it has headings, tables or text after it
    if not any(div.find(["table", "h2", "p"]) for div in found):
        return []
    return found


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
            if isinstance(child, Tag) and not _is_chrome(child):
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
        labels = [clean(a.get_text()) for a in group.find_all(attrs={"role": "tab"})]
        panels = [
            p for p in group.find_all(attrs={"role": "tabpanel"}) if p.find_parent("div", class_="tabGroup") is group
        ]
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
        header_row = None
        thead = tag.find("thead")
        if isinstance(thead, Tag):
            header_row = thead.find("tr")
        body_rows = [tr for tr in tag.find_all("tr") if tr is not header_row and tr.find_parent("table") is tag]
        if header_row is None and body_rows and body_rows[0].find("th") and not body_rows[0].find("td"):
            header_row, body_rows = body_rows[0], body_rows[1:]
        if not isinstance(header_row, Tag) or not header_row.find(["th", "td"]):
            raise ExtractError("a table has no header row", table=index)
        headers, header_fns, header_anchors = [], [], []
        for th in header_row.find_all(["th", "td"], recursive=False):
            flat = flatten(th)
            headers.append(flat.text())
            header_fns.append(flat.footnotes())
            header_anchors.append(flat.anchors())
        rows = []
        for tr in body_rows:
            cells = []
            for td in tr.find_all(["td", "th"], recursive=False):
                flat = flatten(td)
                cells.append(Cell(flat.text(), flat.footnotes(), flat.anchors(), tuple(flat.links), flat.as_lines()))
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
