"""The console entry point: exit codes and output survive the frozen-heap exit."""

from __future__ import annotations

import gc
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from pipeline import cli
from pipeline.errors import FetchError

FIXTURE = Path(__file__).parent / "fixtures" / "learn_sample.html"


def test_console_freezes_the_heap_then_exits_with_main_s_code(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    monkeypatch.setattr(cli, "main", lambda: calls.append("main") or 3)
    monkeypatch.setattr(gc, "freeze", lambda: calls.append("freeze"))
    with pytest.raises(SystemExit) as exited:
        cli.console()
    assert exited.value.code == 3
    assert calls == ["main", "freeze"]


def test_python_m_pipeline_still_flushes_stdout_and_writes_whole_files(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pipeline", "extract", "--out", str(tmp_path), str(FIXTURE)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    written = sorted(tmp_path.iterdir())
    assert written, "extract wrote nothing"
    for path in written:
        if path.suffix == ".parquet":
            pq.read_table(path)  # a truncated file would not read
    listed = subprocess.run([sys.executable, "-m", "pipeline", "pages"], capture_output=True, text=True, check=True)
    assert "defender-for-containers" in listed.stdout and listed.stdout.endswith("\n")


def test_bad_input_keeps_its_exit_code_through_python_m_pipeline(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pipeline", "extract", "--out", str(tmp_path), str(tmp_path / "missing.html")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == FetchError.exit_code == 3, done.stderr  # a missing page file is a fetch error
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("supportmatrix: ")
