"""The corpus as a change history (every revision built once, consecutive revisions diffed), for the
timeline tests; and a hand-made history builder."""

from __future__ import annotations

import itertools
from functools import cache
from typing import Any

import pandas as pd

from pipeline.schema import CHANGES
from tests.corpus import html_bytes, manifest


def record(**values: Any) -> dict[str, Any]:
    row: dict[str, Any] = dict.fromkeys(CHANGES.names)
    row.update(dataset="feature_support", severity="medium", field="state", summary="-", change_id="c")
    row.update(values)
    return row


def baseline(detected_at: str, revision: str, ms_date: str | None, commit: str | None) -> dict[str, Any]:
    """The history's first record, as the snapshot store writes it for the first good revision."""
    return record(
        kind="baseline",
        dataset="page",
        field=None,
        detected_at=detected_at,
        new_revision=revision,
        new_ms_date=ms_date,
        new_git_commit_id=commit,
        change_id=f"baseline-{revision}",
    )


@cache
def corpus_history() -> dict[str, Any]:
    """stems in commit order, their frames, and the history of every consecutive pair (with a baseline)."""
    from pipeline.diff import diff
    from pipeline.fetch import Fetched
    from pipeline.steps import build

    order = [(r["file"].removesuffix(".md"), r["committed_at_utc"]) for r in manifest()]
    frames: dict[str, dict[str, pd.DataFrame]] = {}
    for stem, committed in order:
        body = html_bytes(stem)
        fetched = Fetched(f"{stem}.html", body, None, committed, None, None, None, "git")
        frames[stem] = dict(build(body, fetched).frames)
    stems = [s for s, _ in order]
    first = frames[stems[0]]["page"].iloc[0]
    start = baseline(order[0][1], str(first["sha256"])[:16], first["ms_date"], first["git_commit_id"])
    parts = [pd.DataFrame([start], columns=CHANGES.names, dtype=object)]
    parts += [diff(frames[a], frames[b]) for a, b in itertools.pairwise(stems)]
    history = pd.concat([p for p in parts if len(p)], ignore_index=True)
    return {"stems": stems, "frames": frames, "history": history}
