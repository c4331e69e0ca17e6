"""Helpers for the report/GitHub tests: repositories (snapshots/ + output/, the page in its own folder of
each, as in this repository) built by the real pipeline."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from pipeline.cli import main as cli
from pipeline.errors import ValidationFailed
from pipeline.run import RunOptions, run
from tests.support import page_dir

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "tests" / "fixtures" / "learn_sample.html"
T1, T2, T3 = "2025-04-01T06:17:00Z", "2025-04-02T06:17:00Z", "2025-04-03T06:17:00Z"


def edited_sample(tmp: Path) -> Path:
    """The sample page, revised: a new ms.date and source commit, one state promoted, one language dropped."""
    text = SAMPLE.read_text(encoding="utf-8")
    for old, new in (
        ("<td>Preview (Container with ACR images are GA)</td>", "<td>GA</td>"),
        (" * Ruby<br>", ""),
        ("2025-03-30", "2025-04-02"),
        ("03/30/2025", "04/02/2025"),
        ("00000000000000000000000000000000000000a1", "00000000000000000000000000000000000000a2"),
    ):
        assert old in text, old
        text = text.replace(old, new)
    path = tmp / "revised.html"
    path.write_text(text, encoding="utf-8")
    return path


def page_store(root: Path) -> Path:
    """The containers page's snapshot store in a repository (what the API and ``load`` take)."""
    return page_dir(root / "snapshots")


def page_output(root: Path) -> Path:
    """The containers page's publication in a repository."""
    return page_dir(root / "output")


def run_at(root: Path, source: Path, at: str, *, force: bool = False) -> None:
    opts = RunOptions(source=str(source), snapshots=page_store(root), output=page_output(root), fetched_at=at)
    run(replace(opts, force=force))


def build_stores(tmp: Path) -> dict[str, Path]:
    """Repositories (snapshots/ + output/) after: a baseline run, an unchanged re-run, a revised page."""
    baseline = tmp / "baseline"
    run_at(baseline, SAMPLE, T1)
    unchanged = tmp / "unchanged"
    shutil.copytree(baseline, unchanged)
    run_at(unchanged, SAMPLE, T2)
    revised = tmp / "revised"
    shutil.copytree(unchanged, revised)
    run_at(revised, edited_sample(tmp), T3)
    return {"baseline": baseline, "unchanged": unchanged, "revised": revised}


def report_cli(capsys: pytest.CaptureFixture[str], root: Path, *args: str) -> str:
    code = cli(["report", *args, "--snapshots", str(root / "snapshots"), "--output", str(root / "output")])
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


def outputs(text: str) -> dict[str, str]:
    lines = text.splitlines()
    assert all(line.count("=") >= 1 and "\n" not in line for line in lines)
    return dict(line.split("=", 1) for line in lines)


def broken_sample(tmp: Path) -> Path:
    """A revision whose states all read "Banana": it extracts, and fails validation (unknown states)."""
    text = SAMPLE.read_text(encoding="utf-8").replace("<td>GA</td>", "<td>Banana</td>")
    path = tmp / "broken.html"
    path.write_text(text.replace("2025-03-30", "2025-04-05"), encoding="utf-8")
    return path


def quarantined_copy(baseline: Path, tmp: Path) -> Path:
    """The baseline repository after a run that quarantined a page failing validation (exit code 5)."""
    root = tmp / "repo"
    shutil.copytree(baseline, root)
    with pytest.raises(ValidationFailed) as failure:
        run_at(root, broken_sample(tmp), T2)
    assert failure.value.exit_code == 5 and failure.value.failed
    return root
