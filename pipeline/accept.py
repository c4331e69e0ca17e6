"""``accept ID``: a person turns a quarantined snapshot into the good baseline (I/O: the snapshot store,
output/, alerts).

Nothing is fetched again: the quarantined page is rebuilt from its stored bytes with today's code, its
validation result is kept with ``outcome: accepted`` and ``accepted: {by, at, failed}`` (who from
``SUPPORTMATRIX_ACCEPTED_BY``, else ``GITHUB_ACTOR``, else the login name), and then the run's own
save steps follow: the snapshot becomes good, its changes since the previous good snapshot go into
the history (with an ``accepted`` record of dataset ``page``), the held alerts are sent and
``output/`` is rebuilt. The changes are dated when the page was first fetched as this one, or, when
another good page was seen after that (the page flipped away and back), at its last sighting.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._clock import utc_now
from .errors import PipelineError, UsageError
from .steps import from_snapshot

if TYPE_CHECKING:
    from .run import RunOptions, RunResult
    from .store.snapshots import Snapshot, SnapshotStore


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


def accept(opts: AcceptOptions, env: Mapping[str, str] | None = None) -> RunResult:
    from . import run as running
    from .store import runlock as _runlock

    with _runlock.held(opts.snapshots, None):  # one run at a time, as ``run``
        return _accept(opts, env, running)


def _accept(opts: AcceptOptions, env: Mapping[str, str] | None, running: Any) -> RunResult:
    from .steps import build, page_of
    from .store.journal import accepted_validation
    from .store.recovery import recover
    from .store.snapshots import QUARANTINED, SnapshotStore

    store = SnapshotStore(opts.snapshots)
    opts_run = running.RunOptions(snapshots=opts.snapshots, output=opts.output, alert_config=opts.alert_config)
    result = running.RunResult(status="published")
    for line in recover(store, hold=lambda changes: running._hold(opts_run, changes)):
        result.say(line)
    held = store.get(opts.ident)
    verdict = (held.validation() or {}).get("accepted")
    if held.status != QUARANTINED and isinstance(verdict, dict):
        return _accepted_before(opts_run, store, held, verdict, result, running)
    if held.status != QUARANTINED:
        raise UsageError(f"snapshot {held.id} is not quarantined (it is {held.status}); nothing to accept")
    previous, baseline = store.latest_good(), store.baseline()
    previous_seen = store.last_seen(previous) if previous is not None else ""
    if previous is not None and previous_seen > store.last_seen(held):
        # the page moved on after this one was held (a flap back, a later good page): diffing the page as it
        # is now against the held one would record changes back in time and publish older data
        raise UsageError(
            f"snapshot {held.id} was last seen {store.last_seen(held)}, before the page as it is now "
            f"(snapshot {previous.id}, seen {previous_seen}); accept it when a run sees it again"
        )
    fetched = from_snapshot(held)
    try:
        revision = build(held.page_bytes(), fetched, page_of(held.meta))
    except PipelineError as exc:
        raise UsageError(f"snapshot {held.id} cannot be rebuilt ({exc.one_line()}); it cannot be published") from exc
    stored = held.validation() or {}
    accepted: dict[str, Any] = {"by": who(env), "at": utc_now(), "failed": list(stored.get("failed", []))}
    validation = accepted_validation(stored, accepted)
    # the run's own save steps (run._save): the move logged, its changes (with the accepted record)
    # recorded and their alerts held, the snapshot released as good, then output/ and the alert
    at = str(revision.page["fetched_at"])
    if previous_seen > at:
        # the page was another one after this was first held, and has been this one again since (above):
        # its changes date from that sighting, or the feed would say the page changed before it did
        at = store.last_seen(held)
    snapshot = running._save(opts_run, store, previous, baseline, held, revision, validation, result, at=at)
    result.say(f"accepted: snapshot {snapshot.id} by {accepted['by']}")
    return result


def _accepted_before(
    opts_run: RunOptions,
    store: SnapshotStore,
    held: Snapshot,
    verdict: dict[str, Any],
    result: RunResult,
    running: Any,
) -> RunResult:
    """Accepting an accepted snapshot again (typically: retrying an accept that was killed, whose move the
    recovery above just finished) completes what the first left undone, output/ and the held alerts,
    and changes nothing else: the first verdict stands."""
    from .diff import empty
    from .steps import build, page_of

    result.snapshot_id = held.id
    latest = store.latest_good()
    if latest is not None and latest.id == held.id and not running._published(opts_run.output, held):
        from .publish import publish

        revision = build(held.page_bytes(), from_snapshot(held), page_of(held.meta))
        publish(opts_run.output, revision.frames, store.changes(), held.meta)
        result.say(f"published: snapshot {held.id} to {opts_run.output}")
    running._announce(opts_run, empty(), held, result)  # what the first accept held for alerting
    result.say(f"accepted already: snapshot {held.id} by {verdict.get('by')} at {verdict.get('at')}")
    return result
