"""Today's (0.x) BeautifulSoup path, kept as the reference the lxml-native extractor is proven against.

``soup_from_lxml`` builds the BeautifulSoup tree of the located article straight from lxml's tree
(``tests/test_soup.py`` proves it equals ``BeautifulSoup(markup, "lxml")`` on every corpus page), and
``flatten`` reads a bs4 fragment as a reader sees it.  Frozen copies of ``pipeline/_soup.py`` and
``pipeline/extract/_text.py`` as they were before the extractor walked lxml directly; not used by the pipeline.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import lxml.etree
from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.element import Comment, PageElement

from pipeline.model import Line

_PRESERVE = frozenset({"pre", "textarea"})


def soup_from_lxml(elements: Iterable[lxml.etree._Element]) -> BeautifulSoup:
    """A soup whose top-level children are the given lxml elements (and their subtrees)."""
    soup = BeautifulSoup("", "lxml")
    builder = soup.builder
    last: PageElement = soup

    def add(node: PageElement, parent: Tag) -> None:
        nonlocal last
        node.setup(parent, last)
        parent.contents.append(node)
        last = node

    def text(value: str, parent: Tag, keep: bool) -> None:
        # as bs4 does: a whitespace-only string outside <pre>/<textarea> becomes one space or newline
        if not keep and not value.strip():
            value = "\n" if "\n" in value else " "
        add(NavigableString(value), parent)

    def build(element: lxml.etree._Element, parent: Tag, keep: bool) -> None:
        nonlocal last
        tag = Tag(None, builder, element.tag, None, None, dict(element.attrib), parent, last)
        parent.contents.append(tag)
        last = tag
        keep = keep or element.tag in _PRESERVE
        if element.text:
            text(element.text, tag, keep)
        for child in element:
            if isinstance(child.tag, str):
                build(child, tag, keep)
            elif isinstance(child, lxml.etree._Comment):
                add(Comment(child.text or ""), tag)
            if child.tail:
                text(child.tail, tag, keep)

    for element in elements:
        build(element, soup, False)
    return soup


_WS = re.compile(r"\s+")
_BLOCK_TAGS = frozenset({"p", "li", "ul", "ol", "div", "tr", "table", "section", "h1", "h2", "h3", "h4", "h5", "h6"})


def clean(text: str) -> str:
    return _WS.sub(" ", text).strip()


@dataclass
class _LineBuf:
    parts: list[str] = field(default_factory=list)
    footnotes: list[str] = field(default_factory=list)
    anchors: list[str] = field(default_factory=list)
    strong_chars: int = 0


@dataclass
class Flat:
    """A fragment flattened into reader-visible lines."""

    lines: list[_LineBuf] = field(default_factory=lambda: [_LineBuf()])
    links: list[str] = field(default_factory=list)

    def text(self) -> str:
        return clean(" ".join("".join(line.parts) for line in self.lines))

    def footnotes(self) -> tuple[str, ...]:
        return tuple(m for line in self.lines for m in line.footnotes)

    def anchors(self) -> tuple[str, ...]:
        return tuple(a for line in self.lines for a in line.anchors)

    def as_lines(self) -> tuple[Line, ...]:
        out = []
        for buf in self.lines:
            text = clean("".join(buf.parts))
            if not text and not buf.footnotes:
                continue
            bare = len(text.replace(" ", ""))
            out.append(Line(text, tuple(buf.footnotes), strong=bare > 0 and buf.strong_chars >= bare))
        return tuple(out)


def footnote_ref(sup: Tag) -> tuple[str, str] | None:
    """``<sup><a href="#footnote1">1</a></sup>`` -> ("1", "footnote1"); else None."""
    link = sup.find("a", href=True)
    if not isinstance(link, Tag):
        return None
    href = str(link.get("href", ""))
    if not href.startswith("#"):
        return None
    return clean(sup.get_text()), href[1:]


def flatten(node: Tag) -> Flat:
    return flatten_nodes(node.contents)


def flatten_nodes(nodes: Iterable[PageElement]) -> Flat:
    flat = Flat()
    _walk(nodes, flat, strong=False)
    return flat


_SKIP = frozenset({"script", "style", "template"})
_STRONG = frozenset({"strong", "b"})


def _walk(nodes: Iterable[PageElement], flat: Flat, strong: bool) -> None:
    lines = flat.lines
    for child in nodes:
        kind = type(child)
        if kind is NavigableString or (kind is not Tag and isinstance(child, NavigableString)):
            if isinstance(child, Comment):
                continue
            assert isinstance(child, NavigableString)
            line = lines[-1]
            line.parts.append(child)
            if strong:
                line.strong_chars += len("".join(child.split()))
            continue
        if kind is not Tag:
            continue
        assert isinstance(child, Tag)
        name = child.name
        if name == "br":
            lines.append(_LineBuf())
            continue
        if name in _SKIP:
            continue
        if name == "sup":
            ref = footnote_ref(child)
            if ref is not None:
                line = lines[-1]
                line.footnotes.append(ref[0])
                line.anchors.append(ref[1])
                continue
        if name == "a" and child.get("href"):
            flat.links.append(str(child["href"]))
        bold = strong or name in _STRONG
        if name in _BLOCK_TAGS:
            # block children (lists inside a cell) read as separate lines
            if "".join(lines[-1].parts).strip() or lines[-1].footnotes:
                lines.append(_LineBuf())
            _walk(child.contents, flat, bold)
            lines.append(_LineBuf())
            continue
        _walk(child.contents, flat, bold)
