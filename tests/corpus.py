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
