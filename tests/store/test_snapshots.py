"""The snapshot store: content-addressed, append-only, crash-safe; the change history."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from pipeline.errors import SnapshotError
from pipeline.schema import CHANGES, DATASETS
from pipeline.store import _folder as folder_module
from pipeline.store.snapshots import GOOD, QUARANTINED, Snapshot, SnapshotStore, snapshot_id
from tests.support import page_dir


def page(n: int) -> bytes:
    return f"<!DOCTYPE html><html><body>revision {n}</body></html>".encode()


def meta(body: bytes, fetched_at: str) -> dict:
    return {
        "source": "file",
        "fetched_at": fetched_at,
        "sha256": hashlib.sha256(body).hexdigest(),
        "bytes": len(body),
        "ms_date": "2025-01-01",
        "git_commit_id": "c" * 40,
        "provenance": "file",
    }


def frames() -> dict[str, pd.DataFrame]:
    notes = pd.DataFrame([{"kind": "NOTE", "text": "x", "section": None, "tab": None}], columns=DATASETS["notes"].names)
    return {"notes": notes}


def store_page(store: SnapshotStore, n: int, when: str, **kw: Any) -> Snapshot:
    body = page(n)
    return store.store(page=body, meta=meta(body, when), frames=frames(), **kw)


def test_store_is_content_addressed_and_idempotent(tmp_path: Path) -> None:
    store = SnapshotStore(tmp_path)
    first = store_page(store, 1, "2025-01-01T00:00:00Z")
    again = store_page(store, 1, "2025-01-02T00:00:00Z")
    assert first.id == again.id == snapshot_id(hashlib.sha256(page(1)).hexdigest())
    assert len(store.entries()) == 1
    snap = store.get(first.id)
    assert snap.page_bytes() == page(1)
    assert list(snap.frames()["notes"]["text"]) == ["x"]
    # byte-stable: the gzip carries no timestamp
    assert (snap.path / "page.html.gz").read_bytes() == (snap.path / "page.html.gz").read_bytes()


def test_touch_records_last_checked_without_changing_the_index(tmp_path: Path) -> None:
    store = SnapshotStore(tmp_path)
    snap = store_page(store, 1, "2025-01-01T00:00:00Z")
    index = (tmp_path / "index.json").read_bytes()
    store.touch(snap.id, "2025-01-05T00:00:00Z")
    assert (tmp_path / "index.json").read_bytes() == index
    assert store.listing()[0]["last_checked"] == "2025-01-05T00:00:00Z"


def test_get_by_prefix_and_ambiguity(tmp_path: Path) -> None:
    store = SnapshotStore(tmp_path)
    snaps = [store_page(store, n, f"2025-01-0{n}T00:00:00Z") for n in range(1, 4)]
    for s in snaps:
        assert store.get(s.id[:8]).id == s.id
        assert store.get(s.meta["sha256"]).id == s.id
    with pytest.raises(SnapshotError, match="too short"):
        store.get("ab")
    with pytest.raises(SnapshotError, match="no snapshot"):
        store.get("ffffffffff")
    # force two entries that share a prefix
    entries = store.entries()
    entries[1]["sha256"] = entries[0]["sha256"][:6] + entries[1]["sha256"][6:]
    (tmp_path / "index.json").write_text(json.dumps({"snapshots": entries}), encoding="utf-8")
    with pytest.raises(SnapshotError, match="ambiguous"):
        store.get(entries[0]["sha256"][:6])


def test_listing_is_oldest_first_with_status(tmp_path: Path) -> None:
    store = SnapshotStore(tmp_path)
    store_page(store, 2, "2025-02-01T00:00:00Z")
    store_page(store, 1, "2025-01-01T00:00:00Z")
    store_page(store, 3, "2025-03-01T00:00:00Z", status=QUARANTINED, validation={"success": False, "failed": ["rows"]})
    rows = store.listing()
    assert [r["fetched_at"][:7] for r in rows] == ["2025-01", "2025-02", "2025-03"]
    assert [r["status"] for r in rows] == [GOOD, GOOD, QUARANTINED]
    assert rows[2]["failed"] == ["rows"]
    assert set(rows[0]) == {
        "id",
        "fetched_at",
        "ms_date",
        "git_commit_id",
        "provenance",
        "status",
        "failed",
        "last_checked",
    }
    assert store.latest_good().meta["fetched_at"].startswith("2025-02")
    assert (tmp_path / "quarantine" / rows[2]["id"] / "page.html.gz").exists()


def test_a_crash_mid_write_leaves_no_snapshot(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = SnapshotStore(tmp_path)
    store_page(store, 1, "2025-01-01T00:00:00Z")
    index = (tmp_path / "index.json").read_bytes()

    def boom(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(folder_module, "write_dataset", boom)
    with pytest.raises(SnapshotError, match="disk full"):  # exit 6, one line, not an internal error
        store_page(store, 2, "2025-01-02T00:00:00Z")
    ident = snapshot_id(hashlib.sha256(page(2)).hexdigest())
    assert not (tmp_path / ident).exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".tmp")] == []
    assert (tmp_path / "index.json").read_bytes() == index
    assert [e["id"] for e in store.entries()] == [store.entries()[0]["id"]]
    monkeypatch.undo()
    # the next attempt stores it normally
    assert store_page(store, 2, "2025-01-02T00:00:00Z").id == ident


def test_a_killed_writer_leftover_is_swept_and_an_unlisted_folder_replaced(tmp_path: Path) -> None:
    store = SnapshotStore(tmp_path)
    ident = snapshot_id(hashlib.sha256(page(1)).hexdigest())
    (tmp_path / ".tmp-deadbeef-1" / "datasets").mkdir(parents=True)
    (tmp_path / ident).mkdir()  # renamed into place, but the index write never happened
    (tmp_path / ident / "junk").write_text("partial", encoding="utf-8")
    assert store.entries() == []
    snap = store_page(store, 1, "2025-01-01T00:00:00Z")
    assert not (tmp_path / ".tmp-deadbeef-1").exists()
    assert not (snap.path / "junk").exists() and snap.page_bytes() == page(1)


def test_a_quarantined_page_stored_again_as_good_leaves_quarantine(tmp_path: Path) -> None:
    store = SnapshotStore(tmp_path)
    bad = store_page(
        store, 1, "2025-01-01T00:00:00Z", status=QUARANTINED, validation={"success": False, "failed": ["x"]}
    )
    assert store.latest_good() is None
    forced = store_page(store, 1, "2025-01-01T00:00:00Z", validation={"success": False, "failed": ["x"]})
    assert forced.status == GOOD and forced.path == tmp_path / bad.id
    assert not (tmp_path / "quarantine" / bad.id).exists()
    assert store.latest_good().id == bad.id


def test_a_good_page_stored_again_as_quarantined_is_not_seen(tmp_path: Path) -> None:
    store = SnapshotStore(tmp_path)
    first = store_page(store, 1, "2025-01-01T00:00:00Z")
    second = store_page(store, 2, "2025-01-02T00:00:00Z")
    again = store_page(
        store, 1, "2025-01-03T00:00:00Z", status=QUARANTINED, validation={"success": False, "failed": ["x"]}
    )
    assert again.id == first.id and again.status == GOOD
    assert store.latest_good().id == second.id  # the failed run moved nothing
    assert store.last_checked()[first.id] == "2025-01-01T00:00:00Z"


def test_a_damaged_index_is_a_snapshot_error(tmp_path: Path) -> None:
    (tmp_path / "index.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(SnapshotError, match=r"cannot read .*index\.json"):
        SnapshotStore(tmp_path).entries()
    (tmp_path / "last_checked.json").write_text("[broken", encoding="utf-8")
    assert SnapshotStore(tmp_path).last_checked() == {}


def test_a_listed_snapshot_with_a_missing_folder_is_reported(tmp_path: Path) -> None:
    store = SnapshotStore(tmp_path)
    snap = store_page(store, 1, "2025-01-01T00:00:00Z")
    (snap.path / "page.html.gz").unlink()
    with pytest.raises(SnapshotError, match="folder is missing"):
        store.get(snap.id)


# -- the change history --------------------------------------------------------------


def change(cid: str, revision: str, when: str, kind: str = "promoted") -> dict:
    row: dict = dict.fromkeys(CHANGES.names)
    row.update(change_id=cid, kind=kind, dataset="feature_support", summary=f"{cid} {kind}", severity="medium")
    row.update(new_revision=revision, detected_at=when)
    return row


def test_append_changes_accumulates_and_dedupes(tmp_path: Path) -> None:
    store = SnapshotStore(tmp_path)
    assert store.changes().empty and list(store.changes().columns) == CHANGES.names
    first = pd.DataFrame([change("a" * 16, "r1", "2025-01-01"), change("b" * 16, "r1", "2025-01-01")])
    history = store.append_changes(first)
    assert len(history) == 2
    # the same revision's changes again (a re-run) add nothing; a flap back in a later revision does
    history = store.append_changes(pd.concat([first, pd.DataFrame([change("a" * 16, "r3", "2025-03-01")])]))
    assert len(history) == 3
    back = store.changes()
    assert list(back["new_revision"]) == ["r1", "r1", "r3"]
    assert json.loads((tmp_path / "changes.json").read_text(encoding="utf-8"))[-1]["new_revision"] == "r3"
    assert not list(tmp_path.glob(".tmp-*"))


def test_append_nothing_still_writes_an_empty_history(tmp_path: Path) -> None:
    from pipeline.diff import empty

    history = SnapshotStore(tmp_path).append_changes(empty())
    assert history.empty and (tmp_path / "changes.parquet").exists()
    assert json.loads((tmp_path / "changes.json").read_text(encoding="utf-8")) == []


def test_a_page_that_goes_back_to_an_earlier_version_is_the_latest_again(tmp_path: Path) -> None:
    store = SnapshotStore(tmp_path)
    a = store_page(store, 1, "2025-01-01T00:00:00Z")
    b = store_page(store, 2, "2025-02-01T00:00:00Z")
    assert store.latest_good().id == b.id
    again = store_page(store, 1, "2025-03-01T00:00:00Z")  # the page reverted to version 1
    assert again.id == a.id and len(store.entries()) == 2
    assert store.latest_good().id == a.id
    assert store.listing()[0]["last_checked"] == "2025-03-01T00:00:00Z"
    # an older sighting (a backfill storing history again) does not move it back
    store_page(store, 2, "2024-12-01T00:00:00Z")
    assert store.latest_good().id == a.id


def test_history_files_are_what_the_dataset_writer_writes(tmp_path: Path) -> None:
    from pipeline._io import write_dataset

    store = SnapshotStore(tmp_path / "s")
    rows = [
        change("b" * 16, "r2", "2025-02-01"),
        change("a" * 16, "r1", "2025-01-01"),
        change("c" * 16, "r1", "2025-01-01"),
    ]
    rows[0]["old"] = "GA"
    history = store.append_changes(pd.DataFrame(rows))
    assert list(history["change_id"]) == ["a" * 16, "c" * 16, "b" * 16]  # key order
    write_dataset(history, tmp_path / "ref", "changes")
    for name in ("changes.parquet", "changes.json"):
        assert (tmp_path / "s" / name).read_bytes() == (tmp_path / "ref" / name).read_bytes(), name
    # nothing new: nothing rewritten; a fresh store object reads the same history back
    before = (tmp_path / "s" / "changes.parquet").stat().st_mtime_ns
    assert len(store.append_changes(pd.DataFrame(rows[:1]))) == 3
    assert (tmp_path / "s" / "changes.parquet").stat().st_mtime_ns == before
    assert list(SnapshotStore(tmp_path / "s").changes()["change_id"]) == ["a" * 16, "c" * 16, "b" * 16]


def test_a_damaged_snapshot_is_one_snapshot_error(tmp_path: Path) -> None:
    from pipeline.cli import main

    sample = Path(__file__).parents[1] / "fixtures" / "learn_sample.html"
    args = ["run", "--source", str(sample), "--snapshots", str(tmp_path / "s"), "--output", str(tmp_path / "o")]
    assert main(args) == 0
    store = SnapshotStore(page_dir(tmp_path / "s"))
    snapshot = store.latest_good()
    assert snapshot is not None
    (snapshot.path / "page.html.gz").write_bytes(b"not gzip at all")
    with pytest.raises(SnapshotError, match=r"page\.html\.gz is unreadable"):
        snapshot.page_bytes()
    (snapshot.path / "datasets" / "features.parquet").write_bytes(b"PAR1 broken")
    with pytest.raises(SnapshotError, match="a dataset is unreadable"):
        snapshot.frames()


def test_the_index_is_one_entry_per_line_valid_json_and_reads_the_older_indented_layout(tmp_path: Path) -> None:
    store = SnapshotStore(tmp_path)
    first = store_page(store, 1, "2025-01-01T00:00:00Z")
    store_page(store, 2, "2025-01-02T00:00:00Z")
    text = (tmp_path / "index.json").read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines[0] == '{"snapshots": [' and lines[-1] == "]}" and len(lines) == 4
    assert [e["id"] for e in json.loads(text)["snapshots"]] == [e["id"] for e in store.entries()]
    # a store written by an earlier version (indented JSON) reads the same, and is rewritten line-wise
    (tmp_path / "index.json").write_text(json.dumps(json.loads(text), indent=1), encoding="utf-8")
    again = SnapshotStore(tmp_path)
    assert [e["id"] for e in again.entries()] == [e["id"] for e in store.entries()]
    store_page(again, 3, "2025-01-03T00:00:00Z")
    assert len((tmp_path / "index.json").read_text(encoding="utf-8").splitlines()) == 5
    assert again.get(first.id).id == first.id


def test_a_batch_writes_the_index_once_at_the_end(tmp_path: Path) -> None:
    store = SnapshotStore(tmp_path)
    store_page(store, 1, "2025-01-01T00:00:00Z")
    before = (tmp_path / "index.json").read_bytes()
    with store.batch():
        store_page(store, 2, "2025-01-02T00:00:00Z")
        store_page(store, 3, "2025-01-03T00:00:00Z")
        assert (tmp_path / "index.json").read_bytes() == before  # nothing listed until the batch ends
        assert len(store.entries()) == 3  # but the store itself sees them
    assert len(SnapshotStore(tmp_path).entries()) == 3
