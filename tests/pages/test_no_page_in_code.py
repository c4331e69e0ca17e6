"""Knowledge about a page is data: no article URL, title or environment list in pipeline/ outside
pipeline/pages/ (issue #16's grep, as a test)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipeline.pages import all_pages

PIPELINE = Path(__file__).resolve().parents[2] / "pipeline"
CODE = sorted(p for p in PIPELINE.rglob("*") if p.suffix in (".py", ".j2") and "pages" not in p.parts)


def _texts() -> list[tuple[Path, str]]:
    return [(p, p.read_text(encoding="utf-8")) for p in CODE]


@pytest.mark.parametrize("spec", all_pages(), ids=lambda s: s.slug)
def test_no_module_names_the_page(spec) -> None:
    names = {spec.url, spec.canonical_url, *spec.former_urls, spec.title, *spec.accepted_titles, spec.alert_title}
    names |= {s.path for s in spec.sources} | {spec.feed_id, spec.package_name}
    found = [(p.relative_to(PIPELINE), n) for p, text in _texts() for n in names if n in text]
    assert found == []


def test_no_line_lists_a_pages_environments() -> None:
    environments = {e for spec in all_pages() if spec.environments for e in spec.environments.order}
    listed = []
    for path, text in _texts():
        for number, line in enumerate(text.splitlines(), 1):
            named = {e for e in environments if re.search(rf"\b{re.escape(e)}\b", line)}
            if len(named) >= 3:
                listed.append(f"{path.relative_to(PIPELINE)}:{number}")
    assert listed == []
