"""``supportmatrix diff`` and ``supportmatrix snapshots``, and the change history ``run`` keeps."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from pipeline._io import read_dataset
from pipeline.cli import main
from pipeline.run import RunOptions, run
from pipeline.store.snapshots import SnapshotStore
from tests.support import page_dir

SAMPLE = Path(__file__).parents[1] / "fixtures" / "learn_sample.html"
PROMOTION = "Malware detection (AKS nodes, Linux) on Azure went from Preview to GA."


def promoted_page(tmp_path: Path) -> Path:
    html = SAMPLE.read_text(encoding="utf-8")
    start = html.index("<td>Malware detection</td>")
    end = html.index("</tr>", start)
    row = html[start:end].replace("<td>Preview</td>", "<td>GA</td>", 1)
    path = tmp_path / "promoted.html"
    path.write_text(html[:start] + row + html[end:], encoding="utf-8")
    return path


def test_diff_two_pages(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert main(["diff", str(SAMPLE), str(promoted_page(tmp_path)), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert printed.splitlines()[0] == "Defender for Containers support matrix: 1 change (1 promoted)"
    assert f"  - {PROMOTION}" in printed
    changes = read_dataset(out, "changes")
    assert list(changes["kind"]) == ["promoted"]
    assert json.loads((out / "changes.json").read_text(encoding="utf-8"))[0]["summary"] == PROMOTION


def test_diff_markdown_and_no_changes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", str(SAMPLE), str(SAMPLE), "--out", str(tmp_path / "same"), "--markdown"]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("## Defender for Containers support matrix: no changes")
    assert read_dataset(tmp_path / "same", "changes").empty


def test_diff_extracted_dataset_folders(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    page = promoted_page(tmp_path)
    assert main(["extract", str(SAMPLE), "--out", str(tmp_path / "old")]) == 0
    assert main(["extract", str(page), "--out", str(tmp_path / "new")]) == 0
    capsys.readouterr()
    assert main(["diff", str(tmp_path / "old"), str(tmp_path / "new"), "--out", str(tmp_path / "out")]) == 0
    assert PROMOTION in capsys.readouterr().out
    changes = read_dataset(tmp_path / "out", "changes")
    old_sha = pd.read_parquet(tmp_path / "old" / "page.parquet")["sha256"][0]
    assert list(changes["old_revision"]) == [old_sha[:16]]


def test_diff_snapshot_ids_and_bad_references(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root, out = tmp_path / "snapshots", tmp_path / "output"
    snaps = page_dir(root)  # the API takes the page's store, the CLI its root
    first = run(RunOptions(source=str(SAMPLE), snapshots=snaps, output=out, fetched_at="2025-04-01T00:00:00Z"))
    second = run(
        RunOptions(source=str(promoted_page(tmp_path)), snapshots=snaps, output=out, fetched_at="2025-04-02T00:00:00Z")
    )
    capsys.readouterr()
    assert first.snapshot_id and second.snapshot_id
    args = ["diff", first.snapshot_id[:8], second.snapshot_id, "--snapshots", str(root), "--out", str(tmp_path / "d")]
    assert main(args) == 0
    assert PROMOTION in capsys.readouterr().out
    assert main(["diff", "nope", second.snapshot_id, "--snapshots", str(root), "--out", str(tmp_path / "e")]) == 6
    assert "supportmatrix: snapshots: no snapshot 'nope'" in capsys.readouterr().err
    assert (
        main(
            [
                "diff",
                str(tmp_path / "missing.html"),
                "x",
                "--snapshots",
                str(tmp_path / "none"),
                "--out",
                str(tmp_path / "f"),
            ]
        )
        == 2
    )
    assert "no such file or folder" in capsys.readouterr().err


def test_snapshots_listing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "snapshots"
    snaps = page_dir(root)  # the API takes the page's store, the CLI its root
    assert main(["snapshots", "--snapshots", str(root)]) == 0
    assert f"no snapshots in {snaps}" in capsys.readouterr().out
    first = run(
        RunOptions(source=str(SAMPLE), snapshots=snaps, output=tmp_path / "o", fetched_at="2025-04-01T00:00:00Z")
    )
    run(RunOptions(source=str(SAMPLE), snapshots=snaps, output=tmp_path / "o", fetched_at="2025-04-03T00:00:00Z"))
    capsys.readouterr()
    assert main(["snapshots", "--snapshots", str(root)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["id", "fetched_at", "ms_date", "git_commit_id", "provenance", "status", "last_checked"]
    assert lines[1].split() == [
        str(first.snapshot_id),
        "2025-04-01T00:00:00Z",
        "2025-03-30",
        "000000000000",
        "file",
        "good",
        "2025-04-03T00:00:00Z",
    ]
    assert lines[-1] == "1 snapshots (1 good, 0 quarantined)"
    assert main(["snapshots", "--snapshots", str(root), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["id"] == first.snapshot_id


def test_run_keeps_the_change_history(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    snaps, out = tmp_path / "snapshots", tmp_path / "output"
    store = SnapshotStore(snaps)
    run(RunOptions(source=str(SAMPLE), snapshots=snaps, output=out, fetched_at="2025-04-01T00:00:00Z"))
    assert "baseline: first snapshot" in capsys.readouterr().err
    assert store.changes().empty and (snaps / "changes.parquet").exists()  # the baseline records no change
    page = promoted_page(tmp_path)
    second = run(RunOptions(source=str(page), snapshots=snaps, output=out, fetched_at="2025-04-02T00:00:00Z"))
    assert "1 change (1 promoted)" in capsys.readouterr().err
    history = store.changes()
    assert list(history["summary"]) == [PROMOTION]
    assert list(history["new_revision"]) == [second.snapshot_id]
    assert list(history["detected_at"]) == ["2025-04-02T00:00:00Z"]
    # the same page again: nothing but a last-checked time
    index = (snaps / "index.json").read_bytes()
    again = run(RunOptions(source=str(page), snapshots=snaps, output=out, fetched_at="2025-04-05T00:00:00Z"))
    assert again.status == "unchanged"
    assert (snaps / "index.json").read_bytes() == index and len(store.changes()) == 1
    assert store.last_checked()[str(second.snapshot_id)] == "2025-04-05T00:00:00Z"
    # back to the first version: a demotion, recorded once, and that version is the latest again
    back = run(RunOptions(source=str(SAMPLE), snapshots=snaps, output=out, fetched_at="2025-04-06T00:00:00Z"))
    assert list(store.changes()["kind"]) == ["promoted", "demoted"]
    assert store.latest_good().id == back.snapshot_id  # type: ignore[union-attr]
