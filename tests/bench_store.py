"""Bench of the snapshot store: the cost of one ``SnapshotStore.store`` as the index grows.

An index of N entries is written as a real store would hold it, then the median of several stores (each
a new page, its folder fsynced, one line appended to index.log) is taken at N = 300 and 3,000, alone
and inside ``batch()`` (backfill: one index write at the end). Flat means the 3,000 figure is close to
the 300 one; what remains is the fsyncs of the snapshot folder, which do not depend on N.
"""

from __future__ import annotations

import hashlib
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from pipeline.store import _jsondoc
from pipeline.store.snapshots import SnapshotStore


def _meta(i: int) -> dict[str, Any]:
    sha = hashlib.sha256(str(i).encode()).hexdigest()
    return {
        "sha256": sha,
        "fetched_at": f"2024-01-01T00:00:{i:06d}Z",
        "source": "bench",
        "final_url": None,
        "http_status": 200,
        "etag": None,
        "last_modified": None,
        "bytes": 100,
        "git_commit_id": "a" * 40,
        "ms_date": "2024-01-01",
        "updated_at": None,
        "provenance": "git",
        "title": "bench",
        "canonical_url": "https://example.invalid/page",
    }


def _store_ms(n: int, stores: int = 100) -> dict[str, float]:
    """Per store at an index of ``n`` entries: median and mean wall ms (the mean includes the compactions
    of index.log, one per n/64 appends) and median CPU ms (what remains without the disk's fsyncs)."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        entries = [{**_meta(i), "id": _meta(i)["sha256"][:16], "status": "good"} for i in range(n)]
        (root / "index.json").write_bytes(_jsondoc.Rows("snapshots").dumps(entries))
        (root / "last_checked.json").write_bytes(_jsondoc.Mapping().dumps({e["id"]: e["fetched_at"] for e in entries}))
        store = SnapshotStore(root)
        alone, cpu, batched = [], [], []
        for k in range(stores):
            start, started = time.perf_counter(), time.process_time()
            store.store(page=b"<html>%d</html>" % k, meta=_meta(n + k), frames={}, validation={"success": True})
            alone.append(time.perf_counter() - start)
            cpu.append(time.process_time() - started)
        with store.batch():
            for k in range(stores, stores + 14):
                start = time.perf_counter()
                store.store(page=b"<html>%d</html>" % k, meta=_meta(n + k), frames={}, validation={"success": True})
                batched.append(time.perf_counter() - start)
    return {
        "median": statistics.median(alone) * 1000,
        "mean": statistics.mean(alone) * 1000,
        "cpu": statistics.median(cpu) * 1000,
        "batch": statistics.median(batched) * 1000,
    }


def bench_store() -> dict[str, float | str]:
    small, large = _store_ms(300), _store_ms(3000)
    return {
        "SnapshotStore.store at 300 entries, median ms": round(small["median"], 1),
        "SnapshotStore.store at 3,000 entries, median ms (target <= 10 on a quiet disk; fsyncs included)": round(
            large["median"], 1
        ),
        "SnapshotStore.store at 3,000 entries, mean ms over 100 (index.log compactions included)": round(
            large["mean"], 1
        ),
        "store at 3,000 / at 300 (flat: about 1)": round(large["median"] / small["median"], 2),
        "SnapshotStore.store CPU ms at 300 / at 3,000 entries (the part that is not fsync)": (
            f"{small['cpu']:.2f} / {large['cpu']:.2f}"
        ),
        "SnapshotStore.store inside batch() at 3,000 entries, median ms": round(large["batch"], 1),
        "inside batch(): at 3,000 / at 300": round(large["batch"] / small["batch"], 2),
    }


if __name__ == "__main__":
    for key, value in bench_store().items():
        print(f"{key}: {value}")
