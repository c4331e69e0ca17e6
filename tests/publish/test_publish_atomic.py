"""A publish killed at any point leaves the previous output/ complete, and the next publish recovers."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from pipeline import publish as publishing
from pipeline.errors import PublishError
from pipeline.publish import _swap
from pipeline.publish._verify import check
from tests.publish_support import meta, sample_changes, sample_frames, tree_digest

ROOT = Path(__file__).resolve().parents[2]

# publishes the "B" tree (with history) into argv[1]; argv[2] == "loop" alternates A and B forever
CHILD = """
import sys
from pathlib import Path
from tests.publish_support import meta, sample_changes, sample_frames
from pipeline.publish import publish
frames = sample_frames()
history = sample_changes()
print("ready", flush=True)
n = 0
while True:
    publish(Path(sys.argv[1]), frames, history if n % 2 == 0 else None, meta(frames))
    n += 1
    if sys.argv[2:] != ["loop"]:
        break
"""


def _child(output: Path, env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, str(output), *args],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.fixture(scope="module")
def frames() -> dict[str, pd.DataFrame]:
    return sample_frames()


@pytest.fixture(scope="module")
def trees(tmp_path_factory: pytest.TempPathFactory, frames: dict[str, pd.DataFrame]) -> dict[str, Path]:
    """A: the previous publication (no history yet); B: what the killed publish was writing."""
    base = tmp_path_factory.mktemp("trees")
    publishing.publish(base / "a" / "output", frames, None, meta(frames))
    publishing.publish(base / "b" / "output", frames, sample_changes(), meta(frames))
    return {"a": base / "a" / "output", "b": base / "b" / "output"}


def _leftovers(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if p.name.startswith(".output."))


CASES = [
    ("writing", True),
    ("written", True),
    ("checked", True),
    ("swapped", True),
    ("checked", False),
    ("moved-old", False),
    ("swapped", False),
]


@pytest.mark.parametrize(("step", "exchange"), CASES, ids=[f"{s}-{'exchange' if e else 'renames'}" for s, e in CASES])
def test_killed_publish_leaves_previous_output_complete(
    tmp_path: Path, trees: dict[str, Path], frames: dict[str, pd.DataFrame], step: str, exchange: bool
) -> None:
    out = tmp_path / "output"
    shutil.copytree(trees["a"], out)
    a, b = tree_digest(trees["a"]), tree_digest(trees["b"])
    env = {publishing.CRASH_ENV: step, "SUPPORTMATRIX_PUBLISH_NO_EXCHANGE": "0" if exchange else "1"}
    proc = _child(out, env)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 9, err  # it really died at that step
    assert _leftovers(tmp_path), "the kill should leave a staging or old folder behind"
    if step == "moved-old":
        # the only moment of the two-rename swap without output/: the previous tree waits in .old
        assert not out.exists()
        assert publishing.recover(out)
        assert tree_digest(out) == a
    elif step == "swapped":
        assert tree_digest(out) == b  # the new tree is in, complete; only the cleanup was lost
    else:
        assert tree_digest(out) == a
    check(out)
    publishing.publish(out, frames, sample_changes(), meta(frames))  # a later run recovers and publishes
    assert tree_digest(out) == b
    assert _leftovers(tmp_path) == []


def test_killed_first_publish_leaves_nothing_half_written(tmp_path: Path, frames: dict[str, pd.DataFrame]) -> None:
    out = tmp_path / "output"
    proc = _child(out, {publishing.CRASH_ENV: "checked"})
    proc.communicate(timeout=120)
    assert proc.returncode == 9
    assert not out.exists()
    publishing.publish(out, frames, None, meta(frames))
    check(out)
    assert _leftovers(tmp_path) == []


def test_sigkill_at_random_moments_never_exposes_a_partial_tree(
    tmp_path: Path, trees: dict[str, Path], frames: dict[str, pd.DataFrame]
) -> None:
    out = tmp_path / "output"
    shutil.copytree(trees["a"], out)
    complete = {"a": tree_digest(trees["a"]), "b": tree_digest(trees["b"])}
    rng = random.Random(6)
    for _ in range(4):
        proc = _child(out, {}, "loop")
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.05, 0.6))
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=60)
        assert proc.returncode == -signal.SIGKILL
        digest = tree_digest(out)  # at the instant of the kill, before any recovery
        differs = {k: sorted(n for n in {*digest, *d} if digest.get(n) != d.get(n)) for k, d in complete.items()}
        assert digest in complete.values(), f"neither the old nor the new tree; files that differ: {differs}"
        check(out)
    publishing.publish(out, frames, None, meta(frames))
    assert tree_digest(out) == complete["a"]
    assert _leftovers(tmp_path) == []


def test_recover_restores_or_removes_leftovers(tmp_path: Path, trees: dict[str, Path]) -> None:
    out = tmp_path / "output"
    shutil.copytree(trees["a"], tmp_path / ".output.old-x1")
    (tmp_path / ".output.new-x2" / "latest").mkdir(parents=True)
    (tmp_path / ".output.new-x2" / "latest" / "half.parquet").write_bytes(b"PAR1")
    done = publishing.recover(out)
    assert done == ["restored output from .output.old-x1", "removed .output.new-x2"]
    assert tree_digest(out) == tree_digest(trees["a"])
    (tmp_path / ".output.old-x3").mkdir()
    assert publishing.recover(out) == ["removed .output.old-x3"]
    assert publishing.recover(out) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["output"]


def test_second_publisher_is_refused_while_one_runs(tmp_path: Path, frames: dict[str, pd.DataFrame]) -> None:
    out = tmp_path / "output"
    with _swap.locked(tmp_path), pytest.raises(PublishError, match="another publish"):
        publishing.publish(out, frames, None, meta(frames))
    assert not out.exists()
    publishing.publish(out, frames, None, meta(frames))
    assert out.is_dir()


def test_swap_without_exchange_gives_the_same_result(tmp_path: Path, trees: dict[str, Path]) -> None:
    out = tmp_path / "output"
    shutil.copytree(trees["a"], out)
    staging = _swap.staging_dir(out)
    shutil.rmtree(staging)
    shutil.copytree(trees["b"], staging)
    seen: list[str] = []
    _swap.swap_in(staging, out, hook=seen.append, exchange=False)
    assert seen == ["moved-old", "swapped"]
    assert tree_digest(out) == tree_digest(trees["b"])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["output"]
