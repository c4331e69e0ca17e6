"""The README is part of the product: its quick start, commands and column reference must be true."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from pipeline.cli import COMMANDS
from tests.readme import README, render

ROOT = Path(__file__).resolve().parents[1]
TEXT = README.read_text(encoding="utf-8")


def test_quick_start_is_exactly_make_run_and_make_test() -> None:
    section = TEXT.split("## Quick start", 1)[1]
    block = re.search(r"```\n(.*?)```", section, re.S)
    assert block is not None
    assert block.group(1).split("\n")[:-1] == ["make run", "make test"]


def test_column_reference_is_generated_from_the_schema() -> None:
    assert render(TEXT) == TEXT, "README column reference is stale: run `python -m tests.readme`"


def test_every_documented_command_exists() -> None:
    documented = set(re.findall(r"python -m pipeline ([a-z]+)", TEXT))
    assert documented, "README documents no commands"
    assert documented <= set(COMMANDS)
    for name in sorted(documented):
        out = subprocess.run(
            [sys.executable, "-m", "pipeline", name, "--help"], capture_output=True, text=True, cwd=ROOT
        )
        assert out.returncode == 0, f"`python -m pipeline {name} --help` failed: {out.stderr}"


def test_makefile_targets_named_in_readme_exist() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    for target in set(re.findall(r"`make ([a-z-]+)`", TEXT)):
        assert re.search(rf"^{re.escape(target)}:", makefile, re.M), f"make {target} is not a Makefile target"
