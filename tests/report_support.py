"""Helpers for the report/GitHub tests: repositories (snapshots/ + output/) built by the real pipeline."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pipeline.cli import main as cli
from pipeline.run import RunOptions, run
from pipeline.snapshots import GOOD, SnapshotStore

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


def run_at(root: Path, source: Path, at: str) -> None:
    run(RunOptions(source=str(source), snapshots=root / "snapshots", output=root / "output", fetched_at=at))


def build_stores(tmp: Path) -> dict[str, Path]:
    """Repositories (snapshots/ + output/) after: a baseline run, an unchanged re-run, a revised page."""
    from pipeline.diff import diff

    baseline = tmp / "baseline"
    run_at(baseline, SAMPLE, T1)
    unchanged = tmp / "unchanged"
    shutil.copytree(baseline, unchanged)
    run_at(unchanged, SAMPLE, T2)
    revised = tmp / "revised"
    shutil.copytree(unchanged, revised)
    run_at(revised, edited_sample(tmp), T3)
    store = SnapshotStore(revised / "snapshots")
    if not len(store.changes()):  # the recipe's diff step, until run.py does it itself
        old, new = store.good()
        store.append_changes(diff(old.frames(), new.frames(), old.meta, new.meta))
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


def store_revised(root: Path, tmp: Path, *, failed: list[str], status: str = GOOD) -> None:
    """Store the revised page as a run that validated it to ``failed`` would (quarantined, or forced)."""
    from pipeline.build import build
    from pipeline.fetch import fetch
    from pipeline.run import snapshot_meta

    fetched = fetch(str(edited_sample(tmp)), fetched_at=T2)
    revision = build(fetched.body, fetched)
    SnapshotStore(root / "snapshots").store(
        page=fetched.body,
        meta=snapshot_meta(revision, fetched),
        frames=revision.frames,
        validation={"success": not failed, "failed": failed},
        status=status,
    )


def quarantined_copy(baseline: Path, tmp: Path) -> Path:
    """The baseline repository after a run whose revised page failed validation (kept in quarantine)."""
    from pipeline.snapshots import QUARANTINED

    root = tmp / "repo"
    shutil.copytree(baseline, root)
    store_revised(root, tmp, failed=["features_not_empty", "states_known"], status=QUARANTINED)
    return root
