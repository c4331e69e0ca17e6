"""The extractor: every corpus page exactly as the truth, the sample page as its golden files,
and a clear ExtractError for every kind of page that is not the article."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from pipeline._io import json_bytes, records
from pipeline.errors import ExtractError
from pipeline.extract import extract
from pipeline.extract.datasets import cells_frame, footnotes_frame, notes_frame, tables_frame
from pipeline.schema import DATASETS
from tests.corpus import corpus_params, html_bytes, truth, truth_mismatches

FIXTURES = Path(__file__).parents[1] / "fixtures"
GOLDEN = Path(__file__).parents[1] / "golden" / "extract"
SAMPLE = (FIXTURES / "learn_sample.html").read_bytes()


@pytest.mark.parametrize("stem", corpus_params())
def test_corpus_page_matches_truth(stem: str) -> None:
    document = extract(html_bytes(stem))
    assert truth_mismatches(document, truth(stem)) == []


@pytest.mark.parametrize("stem", corpus_params())
def test_corpus_page_metadata(stem: str) -> None:
    meta = extract(html_bytes(stem)).meta
    expected = truth(stem)
    assert meta.h1 == expected["h1"]
    assert meta.ms_date == expected["ms_date"]
    assert meta.git_commit_id and len(meta.git_commit_id) == 40
    assert stem.split("_")[1] == meta.git_commit_id[:7]


@pytest.mark.parametrize("name", ["cells", "tables", "footnotes", "notes"])
def test_sample_page_golden(name: str) -> None:
    document = extract(SAMPLE)
    frame = {"cells": cells_frame, "tables": tables_frame, "footnotes": footnotes_frame, "notes": notes_frame}[name](
        document
    )
    got = json.loads(json_bytes(records(frame, DATASETS[name])))
    path = GOLDEN / f"{name}.json"
    if os.environ.get("SUPPORTMATRIX_UPDATE_GOLDEN"):
        path.write_bytes(json_bytes(got))
    assert got == json.loads(path.read_text(encoding="utf-8"))


def test_sample_page_reads_like_the_seed() -> None:
    document = extract(SAMPLE)
    assert document.meta.title == "Containers support matrix in Defender for Cloud"
    assert document.meta.ms_date == "2025-03-30"
    assert [t.kind for t in document.tables].count("feature") == 3
    va = document.tables[0]
    assert va.headers[3:5] == ("Linux release state", "Windows release state")
    runtime_va = va.rows[1]
    assert runtime_va[3].value == "Preview (Container with ACR images are GA)"
    assert va.rows[0][5].value == "Requires Registry access" and va.rows[0][5].footnotes == ("1",)
    # the hidden sign-in notice is chrome, never content
    texts = [b.text for b in document.blocks] + [n.text for n in document.notes]
    assert not any("requires authorization" in t for t in texts)
    tabs = [t.scope.tab for t in document.tables if t.scope.tab]
    assert tabs == ["Azure", "Arc enabled Kubernetes"]


def test_footnotes_bind_to_their_own_table_and_panel() -> None:
    document = extract(SAMPLE)
    by_table = {(f.table_index, f.marker): f.text for f in document.footnotes}
    azure, arc = (t.index for t in document.tables if t.scope.tab)
    assert by_table[(azure, "1")].endswith("tested on Azure.")
    assert by_table[(arc, "1")].endswith("have been tested.")


def test_cell_text_conventions() -> None:
    page = _page(
        "<table><thead><tr><th>Feature</th><th>Release state <sup><a href='#fn1'>1</a></sup></th></tr></thead>"
        "<tbody><tr><td><strong>Bold</strong>  name<br>next&nbsp;line &amp; more</td>"
        "<td>GA<sup><a href='#fn1'>1</a></sup><sup><a href='#fn2'>2</a></sup></td></tr></tbody></table>"
        "<p><sup><a name='fn1'></a>1</sup>First.</p><p><sup><a name='fn2'></a>2</sup> Second.</p>"
    )
    document = extract(page)
    table = document.tables[0]
    assert table.headers == ("Feature", "Release state")
    assert table.header_footnotes[1] == ("1",)
    assert table.rows[0][0].value == "Bold name next line & more"
    assert table.rows[0][1].value == "GA"
    assert table.rows[0][1].footnotes == ("1", "2")
    assert [(f.marker, f.text, f.table_index) for f in document.footnotes] == [("1", "First.", 0), ("2", "Second.", 0)]


def test_headings_are_scoped_per_tab_panel() -> None:
    table = "<table><thead><tr><th>Aspect</th><th>Details</th></tr></thead><tbody><tr><td>a</td><td>b</td></tr></tbody></table>"
    page = _page(
        "<h2>Clouds</h2><h3>Before</h3>"
        "<div class='tabGroup'><ul role='tablist'><li><a role='tab'>One</a></li><li><a role='tab'>Two</a></li></ul>"
        f"<section role='tabpanel' data-tab='x'><h4>Inside one</h4>{table}</section>"
        f"<section role='tabpanel' data-tab='x' hidden='hidden'>{table}</section></div>"
        f"{table}"
    )
    scopes = [(t.scope.section, t.scope.tab, t.scope.subheading) for t in extract(page).tables]
    assert scopes == [("Clouds", "One", "Inside one"), ("Clouds", "Two", "Before"), ("Clouds", None, "Before")]


def _page(body: str, *, title: str = "Containers support matrix in Defender for Cloud") -> bytes:
    return (
        "<!DOCTYPE html><html lang='en-us'><head><title>"
        + title
        + " - Microsoft Defender for Cloud | Microsoft Learn</title></head><body><main>"
        "<div unauthorized-private-section hidden><p>Access to this page requires authorization.</p></div>"
        "<div class='content'><h1>" + title + "</h1></div><div class='content'>" + body + "</div></main></body></html>"
    ).encode()


BAD_PAGES = {
    "empty body": (b"", "empty body"),
    "not html": (b'{"error": "json, not a page"}', "not an HTML page"),
    "no article body": (b"<!DOCTYPE html><html><body><main><p>hello</p></main></body></html>", "no article body"),
    "sign-in notice only": (
        b"<!DOCTYPE html><html><body><main><div unauthorized-private-section><p>Access to this page requires "
        b"authorization. You can try signing in or changing directories.</p></div></main></body></html>",
        "sign-in notice",
    ),
    "404 page served with 200": (
        b"<!DOCTYPE html><html><head><title>404 - Content Not Found | Microsoft Learn</title></head><body><main>"
        b"<h1>We couldn't find this page.</h1></main></body></html>",
        "no article body",
    ),
    "article without tables": (_page("<h2>Intro</h2><p>No tables here.</p>"), "has no tables"),
    "truncated mid-table": (SAMPLE[: SAMPLE.index(b"</table>") - 40], "truncated"),
    "table without header row": (
        _page("<table><tbody><tr><td>a</td><td>b</td></tr></tbody></table>"),
        "no header row",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_PAGES))
def test_bad_pages_raise_one_clear_error(case: str) -> None:
    body, expected = BAD_PAGES[case]
    with pytest.raises(ExtractError) as info:
        extract(body)
    line = info.value.one_line()
    assert expected in line
    assert "\n" not in line and line.startswith("extract: ")
