"""A non-editable install validates: the wheel ships the expectation suites and runs outside the repo."""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "tests" / "fixtures" / "learn_sample.html"


def test_every_package_of_the_source_tree_is_listed_for_the_wheel() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "pipeline").rglob("__init__.py")}
    assert set(config["packages"]) == found | {"pipeline.expectations"}
    assert config["package-dir"] == {"pipeline.expectations": "expectations"}


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv holding only the wheel, with the dependencies taken from this venv's site-packages."""
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"  # a copy, so the build leaves nothing in the checkout
    for name in ("pipeline", "expectations"):
        shutil.copytree(ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(src), "--no-deps", "-q", "-w", str(tmp / "dist")],
        capture_output=True,
        text=True,
        timeout=600,
    )
    if built.returncode != 0:
        pytest.skip(f"cannot build a wheel here (no build backend from the package index): {built.stderr[-300:]}")
    [wheel] = (tmp / "dist").glob("*.whl")
    venv = tmp / "venv"
    subprocess.run(
        [getattr(sys, "_base_executable", sys.executable), "-m", "venv", "--without-pip", str(venv)], check=True
    )
    python = venv / "bin" / "python"
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "-q", str(wheel)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    # the dependencies: this venv's packages, after the wheel's (a plain path, so its editable finder stays off)
    purelib = Path(
        subprocess.check_output(
            [str(python), "-c", "import sysconfig;print(sysconfig.get_paths()['purelib'])"], text=True
        ).strip()
    )
    (purelib / "zz_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    return python


def test_the_wheel_ships_the_expectation_suites(installed: Path) -> None:
    where = subprocess.check_output(
        [str(installed), "-c", "import pipeline.validate.suites as s; print(s.__file__); print(s.SUITES_DIR)"],
        text=True,
        cwd=installed.parent.parent,
    ).split()
    assert not where[0].startswith(str(ROOT)), "the installed copy is imported, not the checkout"
    suites = Path(where[1])
    assert suites.parent.name == "pipeline" and suites.name == "expectations"
    assert sorted(p.name for p in suites.glob("*.json")) == sorted(
        p.name for p in (ROOT / "expectations").glob("*.json")
    )


def test_the_wheel_ships_the_page_specs(installed: Path) -> None:
    slugs = subprocess.check_output(
        [str(installed), "-c", "from pipeline import pages; print(*pages.slugs())"],
        text=True,
        cwd=installed.parent.parent,
    ).split()
    assert [f"{slug}.toml" for slug in slugs] == sorted(p.name for p in (ROOT / "pipeline" / "pages").glob("*.toml"))


def test_the_installed_package_extracts_and_validates_outside_the_repo(installed: Path, tmp_path: Path) -> None:
    work = tmp_path / "elsewhere"
    work.mkdir()
    shutil.copy2(SAMPLE, work / "page.html")
    run = {"cwd": work, "capture_output": True, "text": True, "timeout": 600}
    extracted = subprocess.run([str(installed), "-m", "pipeline", "extract", "page.html", "--out", "data"], **run)
    assert extracted.returncode == 0, extracted.stderr
    validated = subprocess.run([str(installed), "-m", "pipeline", "validate", "data"], **run)
    assert validated.returncode == 0, validated.stdout + validated.stderr
