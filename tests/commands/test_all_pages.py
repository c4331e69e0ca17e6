"""``run --all-pages``: every page in its own folders, a failed page never stops the others."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from pipeline import pages
from pipeline.cli import main
from pipeline.errors import FetchError, UsageError

SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "learn_sample.html"


@pytest.fixture
def two_pages(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> tuple[str, str]:
    """The containers page read from the sample file, and a sibling whose source is missing: it sorts first."""
    containers = dataclasses.replace(pages.get("defender-for-containers"), url=str(SAMPLE))
    broken = dataclasses.replace(pages.get("defender-for-cloud"), url=str(tmp_path / "gone.html"))
    monkeypatch.setattr(pages, "all_pages", lambda: (broken, containers))
    return broken.slug, containers.slug


def test_a_failed_page_never_blocks_the_others(
    two_pages: tuple[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken, ok = two_pages
    roots = ["--snapshots", str(tmp_path / "s"), "--output", str(tmp_path / "o")]
    code = main(["run", "--all-pages", *roots, "--fetched-at", "2025-03-30T09:00:00Z"])
    assert code == FetchError.exit_code  # the first failed page's code
    err = capsys.readouterr().err
    assert f"pages: {broken}: failed (exit {FetchError.exit_code})" in err
    assert f"pages: {ok}: ok" in err
    assert "pages: 1 of 2 succeeded" in err
    published = json.loads((tmp_path / "o" / ok / "latest" / "page.json").read_text(encoding="utf-8"))
    assert published[0]["title"]
    assert (tmp_path / "s" / ok / "index.json").is_file()
    assert not (tmp_path / "o" / broken).exists()  # nothing half-written for the failed page


def test_all_pages_succeeding_exit_zero(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    containers = dataclasses.replace(pages.get("defender-for-containers"), url=str(SAMPLE))
    monkeypatch.setattr(pages, "all_pages", lambda: (containers,))
    roots = ["--snapshots", str(tmp_path / "s"), "--output", str(tmp_path / "o")]
    assert main(["run", "--all-pages", *roots]) == 0
    assert "pages: 1 of 1 succeeded" in capsys.readouterr().err


@pytest.mark.parametrize("extra", [["--page", "defender-for-servers"], ["--source", "x.html"], ["--accept", "abc"]])
def test_all_pages_takes_no_single_page_options(
    extra: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["run", "--all-pages", *extra, "--snapshots", str(tmp_path / "s"), "--output", str(tmp_path / "o")])
    assert code == UsageError.exit_code
    assert "--all-pages" in capsys.readouterr().err
    assert not (tmp_path / "s").exists()


def test_one_commit_message_names_every_page_that_has_a_store(
    two_pages: tuple[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken, ok = two_pages
    roots = ["--snapshots", str(tmp_path / "s"), "--output", str(tmp_path / "o")]
    main(["run", "--all-pages", *roots])
    capsys.readouterr()
    assert main(["report", "commit-message", "--all-pages", *roots]) == 0
    subject, _, body = capsys.readouterr().out.partition("\n")
    name = pages.get(ok).display_name
    assert subject.startswith(f"Refresh: {name}: baseline snapshot")
    assert pages.get(broken).display_name not in subject  # no store: nothing of it in this commit
    assert body.strip().startswith(name)
