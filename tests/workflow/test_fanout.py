"""``pipeline pages``: the page list people read and the refresh workflow's matrix is made from, and
the per-page outcomes read back into the release/issue/health matrices."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from pipeline import pages
from pipeline.cli import main as cli
from pipeline.errors import UsageError
from pipeline.workflow import fanout

ROOT = Path(__file__).resolve().parents[2]


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
    _outcome(tmp_path, slugs[0], status="new", exit_code="0", changed="true", validation_failed="false")
    _outcome(tmp_path, slugs[1], status="quarantined", exit_code="5", changed="false", validation_failed="true")
    _outcome(tmp_path, slugs[2], status="unchanged", exit_code="0", changed="false", validation_failed="false")
    _outcome(tmp_path, "not-a-page", status="new", exit_code="0", changed="true")
    assert cli(["pages", "--github-output", "--outcomes", str(tmp_path)]) == 0
    values = _lines(capsys.readouterr().out)
    assert values["changed"] == [slugs[0]]
    assert values["health"] == [{"page": slugs[1], "exit_code": "5"}]
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


def test_unpack_pages_replaces_each_page_folder_whole(tmp_path: Path) -> None:
    make = shutil.which("make")
    if make is None:
        pytest.skip("make is not installed")
    arts = tmp_path / "in"
    (arts / "output" / "output-defender-for-servers").mkdir(parents=True)
    (arts / "output" / "output-defender-for-servers" / "index.html").write_text("new", encoding="utf-8")
    (arts / "snapshots" / "snapshots-defender-for-servers").mkdir(parents=True)
    (arts / "snapshots" / "snapshots-defender-for-servers" / "index.json").write_text("[]", encoding="utf-8")
    (arts / "output" / "output-").mkdir()  # no page name: never becomes `rm -rf output/`
    work = tmp_path / "work"
    for page in ("defender-for-servers", "defender-for-cloud"):
        (work / "output" / page).mkdir(parents=True)
        (work / "output" / page / "stale.txt").write_text("old", encoding="utf-8")
    shutil.copy(ROOT / "Makefile", work / "Makefile")
    proc = subprocess.run(
        [make, "-s", "unpack-pages", f"PAGES_IN={arts}"], cwd=work, capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    files = sorted(p.relative_to(work).as_posix() for p in work.rglob("*") if p.is_file())
    assert files == [
        "Makefile",
        "output/defender-for-cloud/stale.txt",
        "output/defender-for-servers/index.html",
        "snapshots/defender-for-servers/index.json",
    ]
