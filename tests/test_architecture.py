"""The folders show the architecture: the README's package table and the tree agree, and every stage
package imports on its own (issue #16's check anyone can run)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _tree_packages() -> set[str]:
    return {
        f"pipeline.{p.parent.name}"
        for p in (ROOT / "pipeline").glob("*/__init__.py")
        if p.parent.name != "expectations"
    }


def _readme_packages() -> set[str]:
    table = README.split("<!-- packages:start -->")[1].split("<!-- packages:end -->")[0]
    return set(re.findall(r"^\| `(pipeline\.\w+)` \|", table, re.M))


def test_the_readme_lists_the_packages_of_the_tree() -> None:
    assert _readme_packages() == _tree_packages()


def test_the_readme_import_check_names_every_package_and_runs() -> None:
    command = re.search(r'`python -c "(import pipeline[^"]+)"`', README.replace("\n", " "))
    assert command is not None
    code = " ".join(command.group(1).split())
    named = set(re.findall(r"pipeline\.\w+", code))
    assert named == _tree_packages()
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_no_stage_module_is_left_at_the_root() -> None:
    """The root holds the shared pieces and the recipe only; a stage's module lives in its package."""
    root = {p.stem for p in (ROOT / "pipeline").glob("*.py")}
    shared = {"__init__", "__main__", "errors", "schema", "_schema_history", "model", "vocabulary", "_io", "_clock"}
    shared |= {"_paths", "_faults", "_load", "run", "build", "accept", "cli", "_failures", "steps"}
    assert root <= shared, sorted(root - shared)
