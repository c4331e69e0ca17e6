"""Paths stay inside (pipeline/_paths.py): ``extract --out`` never writes outside its folder whatever the
pages are called, and a file or folder where the other is needed is a usage error (exit 2)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from pipeline._paths import folder_name
from pipeline.cli import main
from pipeline.errors import UsageError
from tests.support import tree_digest

SAMPLE = Path(__file__).parent / "fixtures" / "learn_sample.html"
HOSTILE = ["...html", "..html", ".html", ". .html", "a\nb.html", "back\\slash.html", "-dash.html"]


@pytest.mark.parametrize(
    ("stem", "name"),
    [
        ("..", "page"),
        (".", "page"),
        ("", "page"),
        (".hidden", "hidden"),
        ("a/../b", "a_.._b"),
        ("a\\b", "a_b"),
        ("line\nbreak", "line_break"),
        (" spaced ", "spaced"),
        ("2024-01-01 matrix", "2024-01-01 matrix"),
        ("support-matrix-defender-for-containers", "support-matrix-defender-for-containers"),
    ],
)
def test_a_page_name_becomes_one_harmless_folder_name(stem: str, name: str) -> None:
    assert folder_name(stem) == name
    assert "/" not in name and name not in (".", "..") and not name.startswith(".")


def _pages(tmp_path: Path, names: list[str]) -> list[str]:
    folder = tmp_path / "pages"
    folder.mkdir()
    for name in names:
        shutil.copyfile(SAMPLE, folder / name)
    return [str(folder / name) for name in names]


def _extract(pages: list[str], out: Path, capsys: Any) -> tuple[int, list[str]]:
    capsys.readouterr()
    code = main(["extract", *pages, "--out", str(out), "--fetched-at", "2025-03-30T10:00:00Z"])
    return code, capsys.readouterr().err.splitlines()


@pytest.mark.parametrize("hostile", HOSTILE)
def test_extract_never_writes_outside_out_whatever_the_page_names(tmp_path: Path, hostile: str, capsys: Any) -> None:
    pages = _pages(tmp_path, [hostile, "a.html"])
    out = tmp_path / "work" / "out"
    out.mkdir(parents=True)
    outside = tree_digest(tmp_path)
    code, err = _extract(pages, out, capsys)
    assert code == 0 and err == []
    assert {k: v for k, v in tree_digest(tmp_path).items() if not k.startswith("work/out/")} == outside
    folders = sorted(p.name for p in out.iterdir())
    assert folders == sorted([folder_name(Path(hostile).stem), "a"])
    assert all((out / f / "features.parquet").is_file() for f in folders)


def test_two_pages_that_would_share_a_folder_are_refused_before_anything_is_written(
    tmp_path: Path, capsys: Any
) -> None:
    pages = _pages(tmp_path, ["...html", "..html"])  # both would be 'page'
    code, err = _extract(pages, tmp_path / "out", capsys)
    assert code == UsageError.exit_code
    assert err == [
        "supportmatrix: usage: two pages share the folder name 'page' in --out; their datasets would collide"
    ]
    assert not (tmp_path / "out").exists()


def test_a_symlink_inside_out_pointing_away_is_refused(tmp_path: Path, capsys: Any) -> None:
    pages = _pages(tmp_path, ["a.html", "b.html"])
    out, away = tmp_path / "out", tmp_path / "away"
    out.mkdir()
    away.mkdir()
    (out / "a").symlink_to(away)
    code, err = _extract(pages, out, capsys)
    assert code == UsageError.exit_code and len(err) == 1 and "resolves outside" in err[0]
    assert list(away.iterdir()) == [] and sorted(p.name for p in out.iterdir()) == ["a"]


def test_extract_of_a_folder_is_a_usage_error(tmp_path: Path, capsys: Any) -> None:
    code, err = _extract([str(tmp_path)], tmp_path / "out", capsys)
    assert code == 2 and err == [
        f"supportmatrix: usage: {tmp_path} is a folder, not a page: give an HTML file or a URL"
    ]


def test_a_folder_where_a_file_is_needed_is_a_usage_error(tmp_path: Path, capsys: Any) -> None:
    capsys.readouterr()
    assert main(["validate", str(tmp_path), "--json", str(tmp_path)]) == UsageError.exit_code
    assert capsys.readouterr().err.splitlines() == [f"supportmatrix: usage: --json {tmp_path} is a folder, not a file"]


def _a_file(tmp_path: Path) -> Path:
    file = tmp_path / "taken"
    file.write_text("someone's notes", encoding="utf-8")
    return file


@pytest.mark.parametrize(
    "argv",
    [
        ["extract", str(SAMPLE), "--out", "{file}"],
        ["diff", str(SAMPLE), str(SAMPLE), "--out", "{file}"],
        ["run", "--source", str(SAMPLE), "--snapshots", "{file}", "--output", "{tmp}/output"],
        ["run", "--source", str(SAMPLE), "--snapshots", "{tmp}/snapshots", "--output", "{file}"],
        ["backfill", "--git-repo", "{tmp}", "--snapshots", "{file}"],
        ["backfill", "--git-repo", "{tmp}", "--snapshots", "{tmp}/snapshots", "--output", "{file}"],
    ],
)
def test_a_file_where_a_folder_is_needed_is_a_usage_error(tmp_path: Path, argv: list[str], capsys: Any) -> None:
    file = _a_file(tmp_path)
    before = tree_digest(tmp_path)
    capsys.readouterr()
    code = main([a.replace("{file}", str(file)).replace("{tmp}", str(tmp_path)) for a in argv])
    err = capsys.readouterr().err.splitlines()
    assert code == UsageError.exit_code
    assert len(err) == 1 and err[0].startswith("supportmatrix: usage: --") and "is a file, not a folder" in err[0]
    assert tree_digest(tmp_path) == before
