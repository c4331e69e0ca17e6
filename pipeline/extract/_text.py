"""Turn an lxml HTML fragment into what a reader sees: text, footnote markers, links, lines (pure).

Conventions (the same as the corpus truth): footnote ``<sup>`` markers are
removed from the text and listed separately; ``<br>`` and line breaks become
one space; whitespace is collapsed and trimmed; entities are decoded.

The walk reads lxml's tree directly: a fragment's nodes are its ``text``, then
each child followed by that child's ``tail``.  Comments and processing
instructions are not text, but the text after them is (as in BeautifulSoup,
whose tree this replaced; ``tests/test_extract_identity.py``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TypeAlias

from lxml.etree import _Element as Element

from ..model import Line

_WS = re.compile(r"\s+")
_BLOCK_TAGS = frozenset({"p", "li", "ul", "ol", "div", "tr", "table", "section", "h1", "h2", "h3", "h4", "h5", "h6"})

Node: TypeAlias = str | Element  # a text run or a child node (element, comment, processing instruction)


def clean(text: str) -> str:
    return _WS.sub(" ", text).strip()


def text_of(element: Element, separator: str = "") -> str:
    """All text under an element, comments excluded (BeautifulSoup's ``get_text``)."""
    return separator.join(element.itertext())


def is_tag(node: object) -> bool:
    """An element, not a comment, processing instruction or text run."""
    return isinstance(node, Element) and isinstance(node.tag, str)


def tags(element: Element) -> list[Element]:
    """The child elements, comments and processing instructions left out."""
    return [c for c in element if isinstance(c.tag, str)]


def nodes(element: Element) -> Iterator[Node]:
    """The element's children in document order, text runs included."""
    if element.text:
        yield element.text
    for child in element:
        yield child
        if child.tail:
            yield child.tail


def classes(element: Element) -> list[str]:
    return (element.get("class") or "").split()


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


def first_descendant(element: Element, tag: str, attribute: str) -> Element | None:
    """The first ``tag`` below ``element`` carrying ``attribute`` (any value, even empty)."""
    for found in element.iterdescendants(tag):
        if found.get(attribute) is not None:
            return found
    return None


def footnote_ref(sup: Element) -> tuple[str, str] | None:
    """``<sup><a href="#footnote1">1</a></sup>`` -> ("1", "footnote1"); else None."""
    link = first_descendant(sup, "a", "href")
    if link is None:
        return None
    href = link.get("href") or ""
    if not href.startswith("#"):
        return None
    return clean(text_of(sup)), href[1:]


def flatten(element: Element) -> Flat:
    flat = Flat()
    _walk(element, flat, strong=False)
    return flat


def flatten_nodes(items: Iterable[Node]) -> Flat:
    flat = Flat()
    for node in items:
        if isinstance(node, str):
            _text(node, flat, strong=False)
        else:
            _child(node, flat, strong=False)
    return flat


_SKIP = frozenset({"script", "style", "template"})
_STRONG = frozenset({"strong", "b"})


def _text(value: str, flat: Flat, strong: bool) -> None:
    line = flat.lines[-1]
    line.parts.append(value)
    if strong:
        line.strong_chars += len("".join(value.split()))


def _walk(element: Element, flat: Flat, strong: bool) -> None:
    if element.text:
        _text(element.text, flat, strong)
    for child in element:
        _child(child, flat, strong)
        if child.tail:
            _text(child.tail, flat, strong)


def _child(child: Element, flat: Flat, strong: bool) -> None:
    """One child node (not its tail)."""
    name = child.tag
    if not isinstance(name, str) or name in _SKIP:
        return
    lines = flat.lines
    if name == "br":
        lines.append(_LineBuf())
        return
    if name == "sup":
        ref = footnote_ref(child)
        if ref is not None:
            line = lines[-1]
            line.footnotes.append(ref[0])
            line.anchors.append(ref[1])
            return
    if name == "a":
        href = child.get("href")
        if href:
            flat.links.append(href)
    bold = strong or name in _STRONG
    if name in _BLOCK_TAGS:
        # block children (lists inside a cell) read as separate lines
        if "".join(lines[-1].parts).strip() or lines[-1].footnotes:
            lines.append(_LineBuf())
        _walk(child, flat, bold)
        lines.append(_LineBuf())
        return
    _walk(child, flat, bold)
