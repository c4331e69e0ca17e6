"""``--page SLUG`` and the roots ``--snapshots``/``--output``: one page's store and publication are
``ROOT/<slug>/``; a root holding a store of the layout before pages is refused, never read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline import pages
from pipeline.cli import main
from pipeline.errors import UsageError
from pipeline.run import RunOptions, run
from tests.support import page_dir, tree_digest

SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "learn_sample.html"
AT = "2025-03-30T09:00:00Z"


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


def test_run_with_the_page_writes_its_folder_of_each_root(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    snapshots, output = tmp_path / "snapshots", tmp_path / "output"
    roots = ["--snapshots", str(snapshots), "--output", str(output), "--fetched-at", AT]
    assert main(["run", "--page", pages.DEFAULT, "--source", str(SAMPLE), *roots]) == 0
    assert [p.name for p in snapshots.iterdir()] == [pages.DEFAULT]  # nothing of the page at the root itself
    assert (page_dir(snapshots) / "index.json").is_file()
    published = json.loads((page_dir(output) / "latest" / "page.json").read_text(encoding="utf-8"))
    stored = json.loads((page_dir(snapshots) / "index.json").read_text(encoding="utf-8"))["snapshots"]
    assert [s["sha256"] for s in stored] == [published[0]["sha256"]]
    assert not (output / "latest").exists()  # the page's datasets are in its folder, not at the root
    assert f"to {page_dir(output)}" in capsys.readouterr().err


# (command, whether it takes --output): the ones that read a store and may write beside it
COMMANDS = {
    "run": (["run", "--source", str(SAMPLE), "--fetched-at", AT], True),
    "accept": (["accept", "0123456789abcdef"], True),
    "repair": (["repair"], False),
    "snapshots": (["snapshots"], False),
    "report": (["report", "outputs"], True),
    "alert": (["alert", "--dry-run"], True),
}


@pytest.mark.parametrize("name", COMMANDS)
def test_a_root_holding_a_single_page_store_is_refused_in_one_line_and_nothing_written(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = tmp_path / "snapshots"  # a store of the layout before pages: its index.json at the top
    run(RunOptions(source=str(SAMPLE), snapshots=old, output=tmp_path / "old-output", fetched_at=AT))
    before = tree_digest(old)
    capsys.readouterr()
    command, takes_output = COMMANDS[name]
    code = main([*command, "--snapshots", str(old), *(["--output", str(tmp_path / "output")] if takes_output else [])])
    assert code == UsageError.exit_code == 2
    line = one_line(capsys.readouterr().err)
    assert line.startswith(f"supportmatrix: usage: {old} holds a single-page snapshot store")
    assert f"{old}/{pages.DEFAULT}/" in line  # where to move it
    assert tree_digest(old) == before
    assert not page_dir(old).exists() and not (tmp_path / "output").exists()


def test_an_unknown_page_is_one_line_naming_the_known_ones(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    roots = ["--snapshots", str(tmp_path / "snapshots"), "--output", str(tmp_path / "output")]
    assert main(["run", "--page", "defender-for-toasters", "--source", str(SAMPLE), *roots]) == 2
    line = one_line(capsys.readouterr().err)
    assert line.startswith("supportmatrix: usage: unknown page 'defender-for-toasters'")
    known = pages.slugs()
    assert len(known) > 1 and all(slug in line for slug in known)
    assert not (tmp_path / "snapshots").exists() and not (tmp_path / "output").exists()


def test_accept_rebuilds_the_root_so_its_data_package_lists_the_accepted_files(tmp_path: Path) -> None:
    from tests.validate_support import new_state_wording

    frictionless = pytest.importorskip("frictionless", reason="frictionless is a dev extra")
    roots = ["--snapshots", str(tmp_path / "snapshots"), "--output", str(tmp_path / "output")]
    assert main(["run", "--source", str(SAMPLE), "--fetched-at", AT, *roots]) == 0
    reworded = tmp_path / "reworded.html"
    reworded.write_text(new_state_wording(SAMPLE.read_text(encoding="utf-8")), encoding="utf-8")
    assert main(["run", "--source", str(reworded), "--fetched-at", "2025-04-01T10:00:00Z", *roots]) == 5
    index = json.loads((page_dir(tmp_path / "snapshots") / "index.json").read_text(encoding="utf-8"))
    [held] = [s for s in index["snapshots"] if s["status"] == "quarantined"]
    assert main(["accept", held["id"], *roots]) == 0
    report = frictionless.validate(tmp_path / "output" / "datapackage.json")  # the root lists every page's files
    assert report.valid, report.flatten(["resourceName", "type", "note"])[:5]
