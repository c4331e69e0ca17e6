"""The document model the extractor returns: what a reader sees on the page.

Plain frozen dataclasses, no behaviour beyond small derived views; every later
stage (normalise, validate, diff) reads these or the DataFrames built from
them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ALERT_KINDS = ("NOTE", "CAUTION", "IMPORTANT", "TIP", "WARNING")


@dataclass(frozen=True)
class Line:
    """One visual line of a cell or list item (cells break lines with ``<br>``)."""

    text: str
    footnotes: tuple[str, ...] = ()
    strong: bool = False  # the whole line is bold: a status word such as "Supported"


@dataclass(frozen=True)
class Cell:
    value: str
    footnotes: tuple[str, ...] = ()  # markers as shown, e.g. ("1", "2")
    anchors: tuple[str, ...] = ()  # the href anchor of each marker, same order
    links: tuple[str, ...] = ()
    lines: tuple[Line, ...] = ()


@dataclass(frozen=True)
class Scope:
    """Where something sits, as a reader sees it."""

    section: str | None = None  # the h2
    tab: str | None = None  # tab label
    subheading: str | None = None  # the nearest h3/h4
    panel: str | None = None  # "group:panel" id of the tab panel, for footnote scoping


@dataclass(frozen=True)
class Table:
    index: int
    scope: Scope
    headers: tuple[str, ...]
    header_footnotes: tuple[tuple[str, ...], ...]
    header_anchors: tuple[tuple[str, ...], ...]
    rows: tuple[tuple[Cell, ...], ...]

    @property
    def kind(self) -> str:
        lowered = [h.strip().lower() for h in self.headers]
        if "feature" in lowered or "domain - feature" in lowered:
            return "feature"
        if lowered[:1] == ["aspect"]:
            return "aspect"
        return "other"


@dataclass(frozen=True)
class Footnote:
    anchor: str
    marker: str
    text: str
    scope: Scope
    table_index: int | None
    links: tuple[str, ...] = ()


@dataclass(frozen=True)
class Note:
    kind: str
    text: str
    scope: Scope
    items: tuple[str, ...] = ()


@dataclass(frozen=True)
class Block:
    """A paragraph or bulleted list in the article body (not a table, note or footnote)."""

    kind: str  # "p" or "list"
    scope: Scope
    text: str
    items: tuple[Line, ...] = ()
    position: int = 0  # order in the document, shared with tables


@dataclass(frozen=True)
class PageMeta:
    title: str | None = None
    h1: str | None = None
    canonical_url: str | None = None
    ms_date: str | None = None
    updated_at: str | None = None
    git_commit_id: str | None = None
    document_id: str | None = None
    locale: str | None = None
    original_content_git_url: str | None = None


@dataclass(frozen=True)
class Document:
    meta: PageMeta
    tables: tuple[Table, ...]
    footnotes: tuple[Footnote, ...]
    notes: tuple[Note, ...]
    blocks: tuple[Block, ...] = ()
    tab_groups: tuple[tuple[str, ...], ...] = ()
    sections: tuple[str, ...] = field(default=())
    # where each table sits among the blocks, for "the list after this heading" lookups
    table_positions: tuple[int, ...] = ()
