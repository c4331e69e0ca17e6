"""Shared access to ../shared/corpus for the tests: skip with a reason when absent."""

from __future__ import annotations

import csv
import json
from functools import cache
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
CORPUS = SHARED / "corpus"
SEED = SHARED / "seed"
SKIP_REASON = f"../shared/corpus not found at {CORPUS} (a fresh clone has no shared folder; CI provides it)"

needs_corpus = pytest.mark.skipif(not (CORPUS / "html").is_dir(), reason=SKIP_REASON)


def html_pages() -> list[Path]:
    if not (CORPUS / "html").is_dir():
        return []
    return sorted((CORPUS / "html").glob("*.html"))


def stems() -> list[str]:
    return [p.stem for p in html_pages()]


def html_bytes(stem: str) -> bytes:
    return (CORPUS / "html" / f"{stem}.html").read_bytes()


def markdown_text(stem: str) -> str:
    """The markdown source of a revision, as committed."""
    return (CORPUS / "markdown" / f"{stem}.md").read_text(encoding="utf-8")


@cache
def truth(stem: str) -> dict:
    return json.loads((CORPUS / "truth" / f"{stem}.json").read_text(encoding="utf-8"))


def manifest() -> list[dict[str, str]]:
    with open(CORPUS / "markdown" / "manifest.csv", newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def corpus_params() -> list:
    """Parametrize over every corpus stem, or one skipped param when the corpus is absent."""
    found = stems()
    if not found:
        return [pytest.param(None, marks=pytest.mark.skip(reason=SKIP_REASON))]
    return found


def truth_mismatches(document, expected: dict) -> list[str]:
    """Differences between an extracted Document and a truth file, by the corpus README's rules
    ("What matches the truth means"); empty when they match."""
    errs: list[str] = []
    tables = [t for t in expected["tables"] if t["learn_renders_as_table"]]
    if len(tables) != len(document.tables):
        errs.append(f"{len(document.tables)} tables extracted, truth has {len(tables)}")
    for got, want in zip(document.tables, tables):
        where = f"table {got.index}"
        scope = (got.scope.section, got.scope.tab, got.scope.subheading)
        if scope != (want["h2"], want["tab"], want["subheading"]):
            errs.append(f"{where}: scope {scope} != {(want['h2'], want['tab'], want['subheading'])}")
        n = len(want["headers"])
        if list(got.headers[:n]) != want["headers"]:
            errs.append(f"{where}: headers {list(got.headers)} != {want['headers']}")
        if len(got.rows) != len(want["rows"]):
            errs.append(f"{where}: {len(got.rows)} rows != {len(want['rows'])}")
            continue
        for r, (row, want_row) in enumerate(zip(got.rows, want["rows"])):
            for c in range(n):
                value = row[c].value if c < len(row) else ""
                markers = list(row[c].footnotes) if c < len(row) else []
                if value != want_row[c]:
                    errs.append(f"{where} row {r} col {c}: {value!r} != {want_row[c]!r}")
                if markers != want["row_footnotes"][r][c]:
                    errs.append(f"{where} row {r} col {c}: footnotes {markers} != {want['row_footnotes'][r][c]}")
    got_fns = [(f.anchor, f.marker, f.text, f.scope.section, f.scope.tab) for f in document.footnotes]
    want_fns = [(f["anchor"], f["marker"], f["text"], f["h2"], f["tab"]) for f in expected["footnotes"]]
    if got_fns != want_fns:
        errs.append(f"footnotes differ: {sorted(set(got_fns) ^ set(want_fns))[:3]}")
    got_alerts = [(n.kind, n.text, n.scope.section, n.scope.tab) for n in document.notes]
    want_alerts = [(a["kind"], a["text"], a["h2"], a["tab"]) for a in expected["alerts"]]
    if got_alerts != want_alerts:
        errs.append(f"alerts differ: {sorted(set(got_alerts) ^ set(want_alerts))[:3]}")
    return errs


# -- ../shared/catalogue: the sibling pages' history, in the corpus format --------------------------

CATALOGUE = SHARED / "catalogue"
CATALOGUE_SKIP = f"../shared/catalogue not found at {CATALOGUE} (a fresh clone has no shared folder; CI provides it)"
# catalogue folder -> page slug (pipeline/pages)
CATALOGUE_PAGES = {
    "servers": "defender-for-servers",
    "storage": "defender-for-storage",
    "cloud": "defender-for-cloud",
}


def catalogue_stems(folder: str) -> list[str]:
    html = CATALOGUE / folder / "html"
    return sorted(p.stem for p in html.glob("*.html")) if html.is_dir() else []


def catalogue_html(folder: str, stem: str) -> bytes:
    return (CATALOGUE / folder / "html" / f"{stem}.html").read_bytes()


@cache
def catalogue_truth(folder: str, stem: str) -> dict:
    return json.loads((CATALOGUE / folder / "truth" / f"{stem}.json").read_text(encoding="utf-8"))


def catalogue_params() -> list:
    """(folder, stem) for every catalogue revision, or one skipped param when the catalogue is absent."""
    found = [(folder, stem) for folder in CATALOGUE_PAGES for stem in catalogue_stems(folder)]
    if not found:
        return [pytest.param(None, None, marks=pytest.mark.skip(reason=CATALOGUE_SKIP))]
    return found
