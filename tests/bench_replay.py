"""`make bench` figures for the replay: all corpus revisions in commit order through extract +
normalise + validate + snapshot (a temporary store) + diff + history, as ``run`` does them
(never asserted in tests). Target: <= 30 s in total."""

from __future__ import annotations

import statistics
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from tests.corpus import SKIP_REASON, html_bytes, manifest


def bench_replay() -> dict[str, Any]:
    try:
        manifest()
    except OSError:
        return {"skipped": SKIP_REASON}
    from pipeline.diff import diff, empty, prepare
    from pipeline.fetch import Fetched
    from pipeline.run import snapshot_meta
    from pipeline.steps import build
    from pipeline.store.snapshots import SnapshotStore

    try:
        from pipeline.validate import validate
    except ImportError:  # validation not built yet: the figure says so
        validate = None  # type: ignore[assignment]

    order = [(r["file"].removesuffix(".md"), r["committed_at_utc"]) for r in manifest()]
    bodies = {stem: html_bytes(stem) for stem, _ in order}
    if validate is not None:  # warm-up: Great Expectations' import and context, once per process
        body = bodies[order[0][0]]
        validate(build(body, Fetched("warm-up", body, None, order[0][1], None, None, None, "git")).frames)

    stages: dict[str, list[float]] = {k: [] for k in ("build", "validate", "snapshot", "diff", "history")}
    per_revision: list[float] = []
    kinds: Counter[str] = Counter()
    with tempfile.TemporaryDirectory() as tmp:
        store = SnapshotStore(Path(tmp) / "snapshots")
        previous: tuple[dict[str, Any], dict[str, Any]] | None = None
        started = time.perf_counter()
        for stem, committed in order:
            t0 = time.perf_counter()
            body = bodies[stem]
            fetched = Fetched(f"{stem}.html", body, None, committed, None, None, None, "git")
            revision = build(body, fetched)
            frames = prepare(revision.frames)
            t1 = time.perf_counter()
            report = validate(frames, previous=previous[0] if previous else None) if validate else None
            t2 = time.perf_counter()
            meta = snapshot_meta(revision, fetched)
            snapshot = store.store(
                page=body, meta=meta, frames=revision.frames, validation=report.to_dict() if report else None
            )
            t3 = time.perf_counter()
            changes = diff(previous[0], frames, previous[1], snapshot.meta) if previous else empty()
            t4 = time.perf_counter()
            store.append_changes(changes)
            t5 = time.perf_counter()
            kinds.update(changes["kind"])
            previous = (frames, snapshot.meta)
            for name, seconds in zip(stages, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4)):
                stages[name].append(seconds)
            per_revision.append(t5 - t0)
        total = time.perf_counter() - started
    figures: dict[str, Any] = {
        "revisions": len(order),
        "validated": validate is not None,
        "replay total s (target <= 30)": round(total, 2),
        "replay median ms/revision": round(statistics.median(per_revision) * 1000, 1),
    }
    for name, seconds in stages.items():
        figures[f"{name} median ms"] = round(statistics.median(seconds) * 1000, 1)
        figures[f"{name} total s"] = round(sum(seconds), 2)
    figures["changes"] = sum(kinds.values())
    figures["changes by kind"] = dict(sorted(kinds.items(), key=lambda kv: -kv[1]))
    return figures


if __name__ == "__main__":
    for key, value in bench_replay().items():
        print(f"{key}: {value}")
