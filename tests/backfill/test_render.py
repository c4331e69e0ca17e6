"""The renderer: every corpus markdown version, rendered and extracted, reads exactly as its truth
and as the page Learn served; and each DocFX construct renders into Learn's markup."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from pipeline.backfill.render import SourceInfo, canonical_url, front_matter, iso_ms_date, render
from pipeline.extract import extract
from tests.corpus import corpus_params, html_bytes, markdown_text, truth, truth_mismatches

CURRENT = "articles/defender-for-cloud/support-matrix-defender-for-containers.md"
FAKE_SHA = "0f" * 20  # not a corpus commit: a made-up 40-hex id


@pytest.mark.parametrize("stem", corpus_params())
def test_corpus_markdown_renders_to_the_truth(stem: str) -> None:
    document = extract(render(markdown_text(stem), SourceInfo(path=CURRENT)))
    expected = truth(stem)
    assert truth_mismatches(document, expected) == []
    assert (document.meta.title, document.meta.h1, document.meta.ms_date) == (
        expected["title"],
        expected["h1"],
        expected["ms_date"],
    )
    assert [list(g) for g in document.tab_groups] == expected["tab_groups"]
    # everything the extractor reads (tables with cell links and lines, footnotes, alerts, paragraphs
    # and lists, sections) is what it reads from the page Learn served for the same commit
    served = extract(html_bytes(stem))
    for part in ("tables", "footnotes", "notes", "blocks", "tab_groups", "sections", "table_positions"):
        assert getattr(document, part) == getattr(served, part), part


def _soup(markdown: str, source: SourceInfo | None = None) -> BeautifulSoup:
    return BeautifulSoup(render(markdown, source), "lxml")


def _article(markdown: str) -> BeautifulSoup:
    soup = _soup(markdown)
    body = soup.find("main").find_all("div", class_="content", recursive=False)[1]
    return body


PAGE = """---
title: Containers support matrix in Defender for Cloud
ms.date: 7/9/2024
ms.topic: limits-and-quotas
---

# Containers support matrix

Intro.

## Azure

| Feature | State |
|--|--|
| Scan | GA |
"""


def test_head_carries_the_provenance_learn_serves() -> None:
    source = SourceInfo(
        commit=FAKE_SHA,
        committed_at="2024-07-10T08:00:00Z",
        path="articles/defender-for-cloud/supported-machines-endpoint-solutions-clouds-containers.md",
        repo="MicrosoftDocs/azure-docs",
    )
    page = render(PAGE, source)
    assert page.startswith(b'<!DOCTYPE html>\n<html lang="en-us"')
    assert page.rstrip().endswith(b"</html>")
    soup = BeautifulSoup(page, "lxml")
    metas = {m["name"]: m["content"] for m in soup.find_all("meta", attrs={"name": True})}
    assert (
        soup.title.get_text()
        == "Containers support matrix in Defender for Cloud - Microsoft Defender for Cloud | Microsoft Learn"
    )
    assert soup.find("link", rel="canonical")["href"] == (
        "https://learn.microsoft.com/en-us/azure/defender-for-cloud/supported-machines-endpoint-solutions-clouds-containers"
    )
    assert metas["ms.date"] == "2024-07-09T00:00:00Z"
    assert metas["updated_at"] == "2024-07-10T08:00:00Z"
    assert metas["git_commit_id"] == FAKE_SHA
    assert metas["original_content_git_url"] == f"https://github.com/MicrosoftDocs/azure-docs/blob/main/{source.path}"
    assert metas["gitcommit"] == f"https://github.com/MicrosoftDocs/azure-docs/blob/{FAKE_SHA}/{source.path}"
    assert metas["locale"] == "en-us"
    assert metas["supportmatrix.provenance"] == "git"
    assert metas["ms.topic"] == "limits-and-quotas"
    meta = extract(page).meta
    assert (meta.title, meta.h1, meta.ms_date, meta.git_commit_id, meta.updated_at) == (
        "Containers support matrix in Defender for Cloud",
        "Containers support matrix",
        "2024-07-09",
        FAKE_SHA,
        "2024-07-10T08:00:00Z",
    )


def test_without_source_info_the_page_still_renders_and_is_deterministic() -> None:
    page = render(PAGE)
    assert page == render(PAGE)
    soup = BeautifulSoup(page, "lxml")
    assert soup.find("link", rel="canonical") is None
    assert soup.find("meta", attrs={"name": "git_commit_id"}) is None
    assert extract(page).tables[0].rows[0][1].value == "GA"
    # the h1 sits in its own content div, not in the article body
    assert soup.find("main").find("div", class_="content").h1["id"] == "containers-support-matrix"
    assert _article(PAGE).find("h1") is None


def test_front_matter_and_dates() -> None:
    fields, body = front_matter('---\ntitle: "A: b"\nms.date: 03/08/2022\n---\n# X\n')
    assert fields == {"title": "A: b", "ms.date": "03/08/2022"}
    assert body == "# X\n"
    assert front_matter("# no front matter\n") == ({}, "# no front matter\n")
    assert iso_ms_date("3/8/2022") == "2022-03-08T00:00:00Z"
    assert iso_ms_date("2022-03-08") == "2022-03-08T00:00:00Z"
    assert iso_ms_date(None) is None
    assert canonical_url("a/b/c.md") == "https://learn.microsoft.com/en-us/azure/defender-for-cloud/c"


@pytest.mark.parametrize("kind", ["NOTE", "CAUTION", "IMPORTANT", "TIP", "WARNING"])
def test_alerts_become_learn_alert_divs(kind: str) -> None:
    article = _article(f"> [!{kind}]\n> Some **text** here.\n")
    div = article.find("div", class_=kind)
    assert [p.get_text() for p in div.find_all("p")] == [kind.capitalize(), "Some text here."]
    assert article.find("blockquote") is None


def test_alert_with_a_list_body_and_plain_quotes() -> None:
    article = _article("> [!NOTE]\n>\n> - one\n> - two\n\n> just a quote\n")
    div = article.find("div", class_="NOTE")
    assert div.p.get_text() == "Note"
    assert [li.get_text() for li in div.find_all("li")] == ["one", "two"]
    assert article.find("blockquote").get_text(strip=True) == "just a quote"
    notes = extract(render("> [!NOTE]\n>\n> - one\n> - two\n\n| a |\n|--|\n| b |\n")).notes
    assert [(n.kind, n.text, n.items) for n in notes] == [("NOTE", "one two", ("one", "two"))]


TABS = """## Environments

### [**Azure (AKS)**](#tab/azure)

| Feature | State |
|--|--|
| Scan | GA |

#### Details

| Aspect | Details |
|--|--|
| OS | Linux |

### [AWS](#tab/aws)

| Feature | State |
|--|--|
| Scan | Preview |

---

## After

| Feature | State |
|--|--|
| Other | GA |
"""


def test_tab_group_closed_by_a_thematic_break() -> None:
    article = _article(TABS)
    group = article.find("div", class_="tabGroup")
    tabs = group.find_all("a", role="tab")
    assert [a.get_text() for a in tabs] == ["Azure (AKS)", "AWS"]
    assert tabs[0].strong is not None and tabs[0]["aria-controls"] == "tabpanel_1_azure"
    panels = group.find_all("section", role="tabpanel")
    assert [p["data-tab"] for p in panels] == ["azure", "aws"]
    assert not panels[0].has_attr("hidden") and panels[1]["hidden"] == "hidden"
    assert panels[0].find("h4").get_text() == "Details"  # headings inside a group stay in their tab
    assert article.find("hr") is None  # DocFX consumes the closing ---
    tables = extract(render(TABS)).tables
    scopes = [(t.scope.section, t.scope.tab, t.scope.subheading) for t in tables]
    assert scopes == [
        ("Environments", "Azure (AKS)", None),
        ("Environments", "Azure (AKS)", "Details"),
        ("Environments", "AWS", None),
        ("After", None, None),
    ]


def test_tab_group_without_a_break_runs_to_the_end_and_keeps_its_headings() -> None:
    markdown = TABS.replace("---\n\n", "")
    tables = extract(render(markdown)).tables
    assert [(t.scope.section, t.scope.tab) for t in tables][-1] == ("After", "AWS")
    assert _article(markdown).find("hr") is None
    # a --- outside any tab group is an ordinary rule
    assert _article("a\n\n---\n\nb\n").find("hr") is not None


def test_two_tab_groups_are_numbered_in_order() -> None:
    article = _article("### [A](#tab/a)\n\nx\n\n---\n\n### [B](#tab/b)\n\ny\n")
    assert [g["id"] for g in article.find_all("div", class_="tabGroup")] == ["tabgroup_1", "tabgroup_2"]
    assert article.find("section", id="tabpanel_2_b").get_text(strip=True) == "y"


def test_include_lines_are_kept_as_a_note_with_the_include_name() -> None:
    article = _article(
        "[!INCLUDE [Banner for top of topics](./includes/banner.md)]\n\n"
        "### [!INCLUDE [Registries *and* images](./includes/registries.md)]\n"
    )
    assert article.p.get_text() == "This article section reuses shared content: Banner for top of topics."
    assert article.h3.get_text() == "Registries *and* images"
    assert article.h3["id"] == "registries-and-images"


def test_raw_footnote_html_passes_through() -> None:
    markdown = (
        "| Feature | State <sup>[1](#footnote1)</sup> |\n|--|--|\n| Scan | GA <sup>[2](#footnote2)</sup> |\n\n"
        '<sup><a name="footnote1"></a>1</sup> First.<br>\n<sup><a name="footnote2"></a>2</sup> Second.\n'
    )
    document = extract(render(markdown))
    table = document.tables[0]
    assert table.header_footnotes == ((), ("1",))
    assert (table.rows[0][1].value, table.rows[0][1].footnotes) == ("GA", ("2",))
    assert [(f.anchor, f.marker, f.text, f.table_index) for f in document.footnotes] == [
        ("footnote1", "1", "First.", 0),
        ("footnote2", "2", "Second.", 0),
    ]
    assert 'href="#footnote1" data-linktype="self-bookmark"' in render(markdown).decode()


def test_heading_ids_are_learn_slugs_made_unique() -> None:
    article = _article("## Deployment & monitoring\n\n## A - B\n\n### ### Data collection\n\n## A - B\n")
    assert [h["id"] for h in article.find_all(["h2", "h3"])] == [
        "deployment--monitoring",
        "a---b",
        "-data-collection",
        "a---b-1",
    ]


def test_a_row_longer_than_the_header_widens_the_table() -> None:
    article = _article("| Aspect | Details |\n|--|--|\n| a | b | c |\n| d | e |\n")
    assert [th.get_text() for th in article.find_all("th")] == ["Aspect", "Details", ""]
    assert [[td.get_text() for td in tr.find_all("td")] for tr in article.tbody.find_all("tr")] == [
        ["a", "b", "c"],
        ["d", "e", ""],
    ]


def test_source_tables_learn_does_not_render_as_tables() -> None:
    no_pipe = (
        "| Aspect | Details |\n|--|--|\n| Registries |\n**Unsupported**\n<br> * x |\n\n| A | B |\n|--|--|\n| 1 | 2 |\n"
    )
    article = _article(no_pipe)
    assert len(article.find_all("table")) == 1
    assert article.p.get_text().startswith("| Aspect | Details |")
    # a table directly followed by --- is a setext heading in markdig, not a table
    assert _article("| A | B |\n|--|--|\n| 1 | 2 |\n---\n").find("table") is None


def test_links_are_rewritten_as_learn_serves_them() -> None:
    article = _article(
        "[a](../aks/intro.md#rbac) [b](/azure/aks/x.md) [c](https://example.com/p) [d](#here) https://bare.example.com/x\n"
    )
    links = [(a["href"], a["data-linktype"]) for a in article.find_all("a")]
    assert links == [
        ("../aks/intro#rbac", "relative-path"),
        ("/en-us/azure/aks/x", "absolute-path"),
        ("https://example.com/p", "external"),
        ("#here", "self-bookmark"),
        ("https://bare.example.com/x", "external"),
    ]


def test_docfx_images_render_as_images() -> None:
    article = _article(':::image type="content" source="media/x.png" alt-text="A screenshot.":::\n\nAfter.\n')
    img = article.find("img")
    assert (img["src"], img["alt"]) == ("media/x.png", "A screenshot.")
    assert [p.get_text(strip=True) for p in article.find_all("p")] == ["", "After."]
    complex_image = ':::image type="complex" source="y.png" alt-text="Y":::\nLong text.\n:::image-end:::\n\nEnd.\n'
    assert "Long text" not in _article(complex_image).get_text()


# -- inline texts are parsed once per process and shared (_docfx._inline_cache) ---------------------

_SHARED = """---
title: Shared texts
---
# Shared texts

## Escapes \\| and *stars* [link](other-article.md#part) ![alt *text*](media/a.png)

| Feature | Linux |
| --- | --- |
| A \\| B [link](other-article.md#part) | GA |
| A \\| B [link](other-article.md#part) | GA |

A \\| B [link](other-article.md#part)

See [twice](notes.md.md).

[Reference link][ref]

[ref]: https://example.com/first
"""


def _fresh_render(markdown: str) -> bytes:
    from pipeline.backfill import render as rendering

    rendering._parser.cache_clear()
    try:
        return render(markdown)
    finally:
        rendering._parser.cache_clear()


def test_a_text_seen_before_renders_as_it_does_the_first_time() -> None:
    first = _fresh_render(_SHARED)
    other = _SHARED.replace("Shared texts", "Another article").replace("example.com/first", "example.com/second")
    assert render(_SHARED) == first
    assert b"example.com/second" in render(other)  # same text, other reference definitions
    assert render(_SHARED) == first and render(_SHARED) == first  # links rewritten once, escapes joined once
    soup = BeautifulSoup(first, "lxml")
    hrefs = [a["href"] for a in soup.find_all("a", attrs={"data-linktype": "relative-path"})]
    assert set(hrefs) == {"other-article#part", "notes.md"}  # rewritten once: ".md" dropped once
    assert "A | B" in soup.get_text()
