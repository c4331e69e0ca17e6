"""The extractor on the sibling pages' history (../shared/catalogue): every revision matches its truth file
by the corpus README's rules (issue #16: "extraction matches the truth files on every catalogue revision")."""

from __future__ import annotations

import pytest

from pipeline.extract import extract
from tests.corpus import catalogue_html, catalogue_params, catalogue_truth, truth_mismatches


@pytest.mark.parametrize(("folder", "stem"), catalogue_params())
def test_a_catalogue_revision_matches_its_truth(folder: str, stem: str) -> None:
    document = extract(catalogue_html(folder, stem))
    assert truth_mismatches(document, catalogue_truth(folder, stem)) == []
