"""The first pass over a page: metadata, the article's blocks, site chrome cut out (tie-breaks that a
faster reading must keep: first of each wins, chrome's tail text stays, plain cells read as walked ones)."""

from __future__ import annotations

import lxml.etree

from pipeline.extract import _body_cell, extract
from pipeline.extract._locate import locate, page_meta

_PAGE = """<!DOCTYPE html><html><head>
<title>Support matrix | Microsoft Learn</title>
<meta name="ms.date" content="03/30/2025" /><meta name="ms.date" content="2020-01-01" />
<meta name="locale" /><meta property="locale" content="en-us" />
<link rel="alternate" href="https://example.invalid/other" />
<link rel="canonical" /><link rel="canonical" href="https://learn.microsoft.com/en-us/x" />
</head><body><main><div class="content">
<h1>Title</h1><nav id="center-doc-outline">In this article</nav>
<p>Before<button>Copy</button> kept tail</p>
<div id="article-metadata"><script>x()</script>gone</div>
<h2>Features</h2>
<table><thead><tr><th>Feature</th><th>State</th></tr></thead>
<tbody><tr><td> Yes  <b>bold</b></td><td>  GA
</td></tr></tbody></table>
</div></main></body></html>"""


def test_metadata_first_of_each_wins() -> None:
    meta = page_meta(lxml.etree.fromstring(_PAGE, lxml.etree.HTMLParser()))
    assert meta.title == "Support matrix"
    assert meta.ms_date == "2025-03-30"  # the first ms.date, not the second
    assert meta.locale == "en-us"  # a meta without content is skipped, not read as empty
    assert meta.canonical_url == "https://learn.microsoft.com/en-us/x"  # the first canonical link with an href


def test_chrome_is_cut_and_the_text_after_it_kept() -> None:
    _, containers = locate(_PAGE.encode())
    text = " ".join(" ".join("".join(c.itertext()).split()) for c in containers)
    assert "In this article" not in text and "Copy" not in text and "gone" not in text and "x()" not in text
    assert "Before kept tail" in text
    assert [b.text for b in extract(_PAGE.encode()).blocks if b.kind == "p"] == ["Before kept tail"]


def test_a_plain_cell_reads_as_a_walked_one() -> None:
    plain = lxml.etree.fromstring("<td>  GA\n </td>", lxml.etree.HTMLParser()).find(".//td")
    walked = lxml.etree.fromstring("<td>  GA\n <!-- c --></td>", lxml.etree.HTMLParser()).find(".//td")
    empty = lxml.etree.fromstring("<td> </td>", lxml.etree.HTMLParser()).find(".//td")
    assert len(plain) == 0 and len(walked) == 1
    assert _body_cell(plain) == _body_cell(walked)
    assert _body_cell(plain).lines[0].text == "GA" and not _body_cell(plain).lines[0].strong
    assert _body_cell(empty).lines == () and _body_cell(empty).value == ""
    table = extract(_PAGE.encode()).tables[0]
    assert [c.value for c in table.rows[0]] == ["Yes bold", "GA"]


def test_metadata_after_the_closing_html_tag_is_still_read() -> None:
    # libxml2 puts markup after </html> in a second top-level element: the page's metadata is still the
    # document's (found by an attack on the one-pass reading, which read the root only)
    late = '<title>Late | Microsoft Learn</title><link rel="canonical" href="https://x/y" />'
    late += '<meta name="ms.date" content="2025-03-30" />'
    page = "<!DOCTYPE html><html><head></head><body><main><div class='content'><h1>T</h1><table><tr><th>A</th></tr><tr><td>b</td></tr></table>"
    meta = extract((page + "</div></main></body></html>" + late).encode()).meta
    assert (meta.title, meta.canonical_url, meta.ms_date) == ("Late", "https://x/y", "2025-03-30")
