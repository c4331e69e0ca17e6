"""The BeautifulSoup tree built from lxml is the tree BeautifulSoup(markup, "lxml") builds."""

from __future__ import annotations

from pathlib import Path

import lxml.etree
import pytest
from bs4 import BeautifulSoup, Tag

from pipeline.extract._locate import locate
from tests.corpus import corpus_params, html_bytes
from tests.soup_support import soup_from_lxml

SAMPLE = (Path(__file__).parents[1] / "fixtures" / "learn_sample.html").read_bytes()


def _signature(tops: list[Tag]) -> list[tuple]:
    out: list[tuple] = []
    for top in tops:
        for node in [top, *top.descendants]:
            if isinstance(node, Tag):
                attrs = tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in node.attrs.items()))
                parent = node.parent.name if node is not top and node.parent is not None else None
                out.append(("tag", node.name, attrs, parent))
            else:
                out.append(("text", str(node)))
    return out


def _both(raw: bytes) -> tuple[list[tuple], list[tuple]]:
    _, blocks = locate(raw)
    markup = "".join(lxml.etree.tostring(b, encoding="unicode", method="html") for b in blocks)
    reference = BeautifulSoup(markup, "lxml")
    assert reference.body is not None
    direct = soup_from_lxml(blocks)
    return (
        _signature(reference.body.find_all(recursive=False)),
        _signature([c for c in direct.contents if isinstance(c, Tag)]),
    )


def test_sample_tree_is_the_same() -> None:
    reference, direct = _both(SAMPLE)
    assert direct == reference


def test_whitespace_and_entities_as_bs4() -> None:
    page = (
        b"<!DOCTYPE html><html><body><main><div class='content'><h1>T</h1></div><div class='content'>"
        b"<p>a  <b>b</b>&amp;&nbsp;c<!-- note -->d</p><pre>  keep  </pre><table><thead><tr><th>x</th></tr></thead>"
        b"<tbody><tr><td> <br>  </td></tr></tbody></table></div></main></body></html>"
    )
    reference, direct = _both(page)
    assert direct == reference


@pytest.mark.parametrize("stem", corpus_params())
def test_corpus_tree_is_the_same(stem: str) -> None:
    reference, direct = _both(html_bytes(stem))
    assert direct == reference
