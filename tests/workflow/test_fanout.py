"""``pipeline pages``: the page list people read and the refresh workflow's matrix is made from, and
the per-page outcomes read back into the release/issue/health matrices."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline import pages
from pipeline.cli import main as cli
from pipeline.errors import UsageError
from pipeline.workflow import fanout


def _lines(text: str) -> dict[str, object]:
    out = {}
    for line in text.splitlines():
        key, _, value = line.partition("=")
        out[key] = json.loads(value)
    return out


def test_json_lists_every_page_spec_by_slug(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(["pages", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed == [{"slug": p.slug, "display_name": p.display_name} for p in pages.all_pages()]
    assert len(listed) >= 4 and pages.DEFAULT in [p["slug"] for p in listed]


def test_the_plain_listing_has_one_line_per_page(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(["pages"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == list(pages.slugs())
    assert all(p.display_name in line for p, line in zip(pages.all_pages(), lines, strict=True))


def test_github_output_gives_the_matrix_as_one_line_values(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(["pages", "--github-output"]) == 0
    out = capsys.readouterr().out
    assert len(out.splitlines()) == 2 and " " not in out.split("pages=")[0]
    values = _lines(out)
    assert values["slugs"] == list(pages.slugs())
    assert values["pages"] == json.loads(json.dumps(fanout.listing(pages.all_pages())))


def _outcome(folder: Path, slug: str, **values: str) -> None:
    (folder / f"outcome-{slug}").mkdir(parents=True)
    text = "".join(f"{k}={v}\n" for k, v in values.items())
    (folder / f"outcome-{slug}" / "outcome.env").write_text(text, encoding="utf-8")


def test_outcomes_say_which_pages_changed_failed_validation_or_left_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    slugs = list(pages.slugs())
    _outcome(tmp_path, slugs[0], status="0", changed="true", validation_failed="false")
    _outcome(tmp_path, slugs[1], status="5", changed="false", validation_failed="true")
    _outcome(tmp_path, slugs[2], status="0", changed="false", validation_failed="false")
    _outcome(tmp_path, "not-a-page", status="0", changed="true")
    assert cli(["pages", "--github-output", "--outcomes", str(tmp_path)]) == 0
    values = _lines(capsys.readouterr().out)
    assert values["changed"] == [slugs[0]]
    assert values["health"] == [{"page": slugs[1], "status": "5"}]
    assert values["missing"] == slugs[3:]


def test_outcomes_without_github_output_is_a_usage_error(tmp_path: Path) -> None:
    assert cli(["pages", "--outcomes", str(tmp_path)]) == UsageError.exit_code


def test_parse_outcome_reads_report_outputs_lines() -> None:
    text = "status=5\nchanged=false\nvalidation_failed=true\nnot a line\nsnapshot=\n"
    assert fanout.parse_outcome(text) == {
        "status": "5",
        "changed": "false",
        "validation_failed": "true",
        "snapshot": "",
    }
