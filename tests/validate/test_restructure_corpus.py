"""Scraped HTML and the authored markdown, rendered, agree exactly on every corpus revision (the basis of
``MIN_SOURCE_AGREEMENT``). Skipped without ../shared."""

from __future__ import annotations

import pytest

from pipeline.backfill.render import render
from pipeline.validate.corroborate import agreement, agrees
from tests.corpus import corpus_params, html_bytes, markdown_text
from tests.validate_support import frames_of


@pytest.mark.parametrize("stem", corpus_params())
def test_scrape_and_source_agree_exactly(stem: str) -> None:
    figures = agreement(frames_of(html_bytes(stem)), frames_of(render(markdown_text(stem))))
    assert set(figures.values()) == {1.0}, figures
    assert agrees(figures)
