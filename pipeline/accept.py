"""``accept ID``: a person turns a quarantined snapshot into the good baseline (I/O: the snapshot store,
output/, alerts).

Nothing is fetched again: the quarantined page is rebuilt from its stored bytes with today's code, its
validation result is kept with ``outcome: accepted`` and ``accepted: {by, at, failed}`` (who from
``SUPPORTMATRIX_ACCEPTED_BY``, else ``GITHUB_ACTOR``, else the login name), and then the run's own
save steps follow: the snapshot becomes good, its changes since the previous good snapshot go into
the history (with an ``accepted`` record of dataset ``page``), the held alerts are sent and
``output/`` is rebuilt.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ._clock import utc_now
from .errors import PipelineError, UsageError


@dataclass(frozen=True)
class AcceptOptions:
    ident: str
    snapshots: Path = Path("snapshots")
    output: Path = Path("output")
    alert_config: Path | None = None


def who(env: Mapping[str, str] | None = None) -> str:
    env = os.environ if env is None else env
    for name in ("SUPPORTMATRIX_ACCEPTED_BY", "GITHUB_ACTOR", "USER", "LOGNAME"):
        if env.get(name):
            return env[name]
    return "unknown"


def accept(opts: AcceptOptions, env: Mapping[str, str] | None = None):  # type: ignore[no-untyped-def]
    from . import run as running
    from .build import build
    from .publish import publish
    from .snapshots import QUARANTINED, SnapshotStore

    store = SnapshotStore(opts.snapshots)
    held = store.get(opts.ident)
    if held.status != QUARANTINED:
        raise UsageError(f"snapshot {held.id} is not quarantined (it is {held.status}); nothing to accept")
    previous = store.latest_good()
    fetched = running.from_snapshot(held)
    try:
        revision = build(held.page_bytes(), fetched)
    except PipelineError as exc:
        raise UsageError(f"snapshot {held.id} cannot be rebuilt ({exc.one_line()}); it cannot be published") from exc
    stored = held.validation() or {}
    accepted = {"by": who(env), "at": utc_now(), "failed": list(stored.get("failed", []))}
    validation = {**stored, "success": True, "outcome": "accepted", "accepted": accepted}
    meta = {**running.snapshot_meta(revision, fetched), "outcome": "accepted", "accepted": accepted}
    # the run's save steps: store as good, changes into the history, alerts held, output/ rebuilt, alerts sent
    opts_run = running.RunOptions(snapshots=opts.snapshots, output=opts.output, alert_config=opts.alert_config)
    result = running.RunResult(status="published")
    snapshot = store.store(page=held.page_bytes(), meta=meta, frames=revision.frames, validation=validation)
    changes = running.support_changes(previous, revision, snapshot)
    history = store.append_changes(changes)
    running._hold(opts_run, changes)
    publish(opts.output, revision.frames, history, snapshot.meta)
    result.snapshot_id = snapshot.id
    result.say(f"accepted: snapshot {snapshot.id} by {accepted['by']}; published to {opts.output}")
    result.say(running._changes_line(changes, previous, snapshot))
    running._announce(opts_run, changes, snapshot, result)
    return result
