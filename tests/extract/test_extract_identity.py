"""The lxml-native extractor returns exactly the document model the BeautifulSoup walker returned.

The reference is today's former path (``tests/extract_bs4_support.py``): every corpus revision, the
sample page and hand-written edge cases (comments, processing instructions, several definitions in one
footnote paragraph, empty hrefs, whitespace-only runs) must give equal ``Document`` values.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.extract import extract
from tests.corpus import corpus_params, html_bytes
from tests.extract_bs4_support import extract_bs4

SAMPLE = (Path(__file__).parents[1] / "fixtures" / "learn_sample.html").read_bytes()

_EDGES = (
    b"<!DOCTYPE html><html><head><title>T | Microsoft Learn</title></head><body><main>"
    b"<div class='content'><h1>T<!-- hidden --> one</h1></div><div class='content'>"
    b"<h2>Sec<?pi x?>tion</h2><p>  <sup><a name='fn1'></a>1</sup> first <b>bold</b><br>"
    b"<sup><a name='fn2'>2</a></sup> second <sup><a href='#fn1'>1</a></sup> <a href=''>e</a></p>"
    b"<div class='NOTE'><p>Note</p><p>a <!-- c --> b</p><ul><li>x <b>y</b></li><li> </li></ul></div>"
    b"<div class='tabGroup'><ul role='tablist'><li><a role='tab'>A<!--z--></a></li><li><a role='tab'>B</a></li>"
    b"</ul><section role='tabpanel'><h3>Sub</h3><table><tr><th>Feature</th><th>State</th></tr>"
    b"<tr><td><strong>Bold</strong>  <sup><a href='#fn1'>1</a></sup></td><td>GA<br/>Preview<ul><li>l</li></ul>"
    b"</td></tr></table><p>after</p></section><section role='tabpanel' data-tab='b'><ol><li>one<br>two</li>"
    b"</ol></section></div><table><thead><tr><td>Aspect</td><td>Details</td></tr></thead><tbody><tr><td>a"
    b"</td><td><a href='https://x'>x</a> <span>&amp; y</span><script>no</script> z</td></tr></tbody></table>"
    b"</div></main></body></html>"
)


def test_edge_cases_model_is_the_same() -> None:
    assert extract(_EDGES) == extract_bs4(_EDGES)


def test_sample_model_is_the_same() -> None:
    assert extract(SAMPLE) == extract_bs4(SAMPLE)


@pytest.mark.parametrize("stem", corpus_params())
def test_corpus_model_is_the_same(stem: str) -> None:
    raw = html_bytes(stem)
    assert extract(raw) == extract_bs4(raw)
