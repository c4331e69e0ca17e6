"""``pipeline bootstrap``: a fresh clone's store gets the authored history before its first live run."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from pipeline.cli import main
from pipeline.store.snapshots import SnapshotStore
from tests.backfill_support import commit, init
from tests.corpus import CORPUS, SKIP_REASON, html_bytes, manifest, markdown_text
from tests.support import page_dir

ROOT = Path(__file__).resolve().parents[2]
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason=SKIP_REASON)


@needs_corpus
def test_bootstrap_backfills_a_fresh_clone_and_the_first_live_run_diffs_against_the_last_authored_page(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = manifest()[-3:]
    docs = init(tmp_path / "docs")
    shas = [commit(docs, r["path_in_repo"], markdown_text(r["file"][:-3]), r["committed_at_utc"]) for r in rows]
    snapshots = tmp_path / "snapshots"
    shutil.copytree(ROOT / "snapshots", snapshots)  # what a fresh clone has: the reconstructed sample only
    assert SnapshotStore(page_dir(snapshots)).baseline() is None
    args = ["bootstrap", "--git-url", str(docs), "--snapshots", str(snapshots), "--clones", str(tmp_path / "c")]
    assert main([*args, "--jobs", "1"]) == 0
    store = SnapshotStore(page_dir(snapshots))
    baseline = store.baseline()
    assert baseline is not None and baseline.meta["git_commit_id"] == shas[-1]
    # the served page of that revision: diffed against its authored source, it changes nothing
    page = tmp_path / "live.html"
    page.write_bytes(html_bytes(rows[-1]["file"][:-3]))
    out = ["--snapshots", str(snapshots), "--output", str(tmp_path / "output")]
    assert main(["run", "--source", str(page), *out, "--fetched-at", "2025-01-02T06:00:00Z"]) == 0
    err = capsys.readouterr().err
    assert "no changes" in err.lower() or "0 changes" in err.lower(), err
    history = json.loads((page_dir(snapshots) / "changes.json").read_text(encoding="utf-8"))
    assert not [c for c in history if c["detected_at"] == "2025-01-02T06:00:00Z"]
    # a second bootstrap has nothing to do
    assert main(args) == 0
    assert "nothing to do" in capsys.readouterr().err


def test_bootstrap_reports_an_unreachable_repository_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["bootstrap", "--git-url", str(tmp_path / "nowhere"), "--snapshots", str(tmp_path / "s")])
    assert code == 3
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("supportmatrix: fetch: cannot clone")


def test_the_refresh_workflow_bootstraps_before_the_live_run() -> None:
    steps = yaml.safe_load((ROOT / ".github" / "workflows" / "refresh.yml").read_text())["jobs"]["refresh"]["steps"]
    names = [s.get("name", "") for s in steps]
    boot = next(i for i, s in enumerate(steps) if "pipeline bootstrap" in s.get("run", ""))
    live = next(i for i, s in enumerate(steps) if "pipeline run" in s.get("run", ""))
    assert boot < live, names


@needs_corpus
def test_a_backfilled_history_is_rebuilt_exactly_by_repair_from_the_log(tmp_path: Path) -> None:
    rows = manifest()[-8:]
    docs = init(tmp_path / "docs")
    for r in rows:
        commit(docs, r["path_in_repo"], markdown_text(r["file"][:-3]), r["committed_at_utc"])
    root = tmp_path / "snapshots"
    store = page_dir(root)
    assert main(["backfill", "--git-repo", str(docs), "--snapshots", str(root), "--no-progress"]) == 0
    expected = (store / "changes.json").read_bytes()
    assert json.loads(expected), "the last eight revisions change something"
    lines = (store / "journal.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == len({json.loads(line)["to"] for line in lines})  # one logged move per good revision
    (store / "changes.parquet").unlink()
    assert main(["repair", "--snapshots", str(root)]) == 0
    assert (store / "changes.json").read_bytes() == expected


@needs_corpus
def test_a_fresh_clone_then_a_real_page_of_another_date_is_a_baseline_with_no_change_alerts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    snapshots = tmp_path / "snapshots"
    shutil.copytree(ROOT / "snapshots", snapshots)
    page = tmp_path / "live.html"
    page.write_bytes(html_bytes(manifest()[-1]["file"][:-3]))
    out = ["--snapshots", str(snapshots), "--output", str(tmp_path / "output"), "--fetched-at", "2026-12-02T06:17:00Z"]
    assert main(["run", "--source", str(page), *out]) == 0
    assert "baseline: snapshot" in capsys.readouterr().err
    history = json.loads((page_dir(snapshots) / "changes.json").read_text(encoding="utf-8"))
    assert [c["kind"] for c in history] == ["baseline"]
    published = json.loads((page_dir(tmp_path / "output") / "latest" / "changes.json").read_text(encoding="utf-8"))
    assert [c["kind"] for c in published] == ["baseline"]  # the published history says so too
