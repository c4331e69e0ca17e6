"""A BeautifulSoup tree built straight from an lxml tree.

``BeautifulSoup(markup, "lxml")`` re-parses text and builds its tree from
lxml's parser events, one Python callback per tag and string: on the article
that costs about as much as all of ``pandas.read_html``.  The page has already
been parsed by lxml (``_locate``), so this walks that tree once and creates the
same ``Tag``/``NavigableString`` objects with the same links (parent,
siblings, document order) that bs4's own tree builder would.
``tests/test_soup.py`` checks the result equals ``BeautifulSoup(markup, "lxml")``
on every corpus page.
"""

from __future__ import annotations

from collections.abc import Iterable

import lxml.etree
from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.element import Comment, PageElement

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
