"""The index log: a store of many snapshots appends its listings and sightings instead of rewriting
index.json and last_checked.json, folds them on reading and compacts now and then (``pipeline.store._indexlog``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.errors import SnapshotError
from pipeline.store import _indexlog
from pipeline.store.snapshots import GOOD, QUARANTINED, SnapshotStore

from .test_snapshots import store_page

LOG = "index.log"


@pytest.fixture
def ratio(monkeypatch: pytest.MonkeyPatch) -> int:
    """A log folded once it holds half the index (64 in a real store), so a few snapshots exercise it."""
    monkeypatch.setattr(_indexlog, "RATIO", 2)
    return 2


def when(n: int) -> str:
    return f"2025-01-{n:02d}T00:00:00Z"


def test_a_small_store_writes_the_documents_whole_and_keeps_no_log(tmp_path: Path) -> None:
    store = SnapshotStore(tmp_path)
    for n in range(1, 4):
        store_page(store, n, when(n))
    assert not (tmp_path / LOG).exists()
    assert len(json.loads((tmp_path / "index.json").read_bytes())["snapshots"]) == 3


def test_stores_append_to_the_log_and_a_fresh_reader_folds_it(tmp_path: Path, ratio: int) -> None:
    store = SnapshotStore(tmp_path)
    snaps = [store_page(store, n, when(n)) for n in range(1, 7)]
    index = (tmp_path / "index.json").read_bytes()
    store_page(store, 7, when(7))  # one listing and one sighting: 2 lines, 2 * 2 < 7
    assert (tmp_path / "index.json").read_bytes() == index  # not rewritten
    lines = (tmp_path / LOG).read_bytes().splitlines()
    assert [sorted(json.loads(line)) for line in lines] == [["entry"], ["at", "seen"]]
    store.touch(snaps[0].id, "2025-02-01T00:00:00Z")
    again = SnapshotStore(tmp_path)
    assert [e["id"] for e in again.entries()] == [e["id"] for e in store.entries()]
    assert len(again.entries()) == 7
    assert again.last_checked()[snaps[0].id] == "2025-02-01T00:00:00Z"
    assert again.latest_good().id == snaps[0].id  # type: ignore[union-attr]


def test_the_log_is_compacted_into_both_documents(tmp_path: Path, ratio: int) -> None:
    store = SnapshotStore(tmp_path)
    for n in range(1, 10):
        store_page(store, n, when(n))
        written = json.loads((tmp_path / "index.json").read_bytes())["snapshots"]
        logged = len((tmp_path / LOG).read_bytes().splitlines()) if (tmp_path / LOG).exists() else 0
        assert logged * ratio < n  # never more than the share the store allows
        assert len(written) + logged // 2 == n  # a listing and a sighting per new page
    assert len(written) > 1  # compacted along the way
    checked = json.loads((tmp_path / "last_checked.json").read_bytes())
    logged_seen = {row["seen"] for row in map(json.loads, _lines(tmp_path)) if "seen" in row}
    assert set(checked) | logged_seen == {e["id"] for e in store.entries()}


def _lines(root: Path) -> list[bytes]:
    return (root / LOG).read_bytes().splitlines() if (root / LOG).exists() else []


def test_a_release_from_quarantine_is_logged_and_folded(tmp_path: Path, ratio: int) -> None:
    store = SnapshotStore(tmp_path)
    for n in range(1, 7):
        store_page(store, n, when(n))
    bad = store_page(store, 20, when(20), status=QUARANTINED, validation={"success": False, "failed": ["rows"]})
    store_page(store, 20, when(21), validation={"success": True, "failed": []})  # --force: released
    again = SnapshotStore(tmp_path)
    assert again.get(bad.id).status == GOOD and (tmp_path / bad.id / "page.html.gz").is_file()
    assert [e["id"] for e in again.entries()].count(bad.id) == 1


def test_a_kill_between_compaction_and_removing_the_log_folds_the_same_store(tmp_path: Path, ratio: int) -> None:
    store = SnapshotStore(tmp_path)
    for n in range(1, 8):
        store_page(store, n, when(n))
    log = _lines(tmp_path)
    assert log
    before = (store.entries(), store.last_checked())
    store._compact()  # what a compaction writes, then the log as it was before its removal
    (tmp_path / LOG).write_bytes(b"\n".join(log) + b"\n")
    again = SnapshotStore(tmp_path)
    assert (again.entries(), again.last_checked()) == before


def test_a_torn_last_line_is_ignored_and_cut_off_by_the_next_append(tmp_path: Path, ratio: int) -> None:
    store = SnapshotStore(tmp_path)
    for n in range(1, 8):
        store_page(store, n, when(n))
    listed = [e["id"] for e in SnapshotStore(tmp_path).entries()]
    with open(tmp_path / LOG, "ab") as fh:
        fh.write(b'{"entry": {"id": "00')  # a kill mid-append: that store never returned
    assert [e["id"] for e in SnapshotStore(tmp_path).entries()] == listed
    fresh = SnapshotStore(tmp_path)
    fresh.touch(listed[0], "2025-03-01T00:00:00Z")
    assert all(json.loads(line) for line in _lines(tmp_path))  # every line whole again
    assert SnapshotStore(tmp_path).last_checked()[listed[0]] == "2025-03-01T00:00:00Z"


@pytest.mark.parametrize(
    "line",
    [b"{not json", b"[]", b'{"entry": {"id": "../../etc", "sha256": "x"}}', b'{"seen": 1, "at": "x"}'],
)
def test_a_damaged_line_is_a_snapshot_error(tmp_path: Path, ratio: int, line: bytes) -> None:
    store = SnapshotStore(tmp_path)
    for n in range(1, 8):
        store_page(store, n, when(n))
    with open(tmp_path / LOG, "ab") as fh:
        fh.write(line + b"\n")
    with pytest.raises(SnapshotError, match=r"index\.log"):
        SnapshotStore(tmp_path).entries()


def test_a_batch_writes_the_documents_once_and_leaves_no_log(tmp_path: Path, ratio: int) -> None:
    store = SnapshotStore(tmp_path)
    for n in range(1, 8):
        store_page(store, n, when(n))
    assert (tmp_path / LOG).exists()
    with store.batch():
        for n in range(9, 12):
            store_page(store, n, when(n))
        assert len(SnapshotStore(tmp_path).entries()) == 7  # nothing listed until the batch ends
    assert not (tmp_path / LOG).exists()
    assert len(json.loads((tmp_path / "index.json").read_bytes())["snapshots"]) == 10
