"""The main job, as a recipe: load inputs, process, save outputs.

1. load inputs: the previous good snapshot, then the page (conditional GET;
   offline falls back to the newest snapshot unless ``require_live``);
2. process: extract + normalise (``build``), then validate (fail closed: a failed
   audit quarantines the page and stops before anything is published);
3. save outputs, durable before visible: the snapshot's folder, then the move of the
   diff baseline (logged, its typed changes appended to snapshots/changes.parquet and
   their alerts held, and only then the snapshot listed as good: ``pipeline.store.moves``),
   then ``output/``, then the alert.

The whole run holds the store's run lock (``pipeline.store.runlock``): one run at a time.
A run first finishes whatever a killed run left half done (``pipeline.store.recovery``).
"""

from __future__ import annotations

import contextlib
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from . import fetch as fetching
from ._clock import utc_now
from ._faults import point
from .errors import AlertError, FetchError, OfflineError, PipelineError, StoreBusy, UsageError, ValidationFailed
from .steps import Revision, build, from_snapshot, snapshot_meta
from .store import moves
from .store import runlock as _runlock
from .store.snapshots import GOOD, QUARANTINED, Snapshot, SnapshotStore

if TYPE_CHECKING:
    import pandas as pd

    from .pages import PageSpec


@dataclass(frozen=True)
class RunOptions:
    source: str | None = None  # a URL or a local file (None: the page's URL)
    page: PageSpec | None = None  # which page (None: pipeline.pages.DEFAULT)
    snapshots: Path = Path("snapshots")
    output: Path = Path("output")
    require_live: bool = False
    force: bool = False
    fetched_at: str | None = None
    provenance: str | None = None  # overrides "fetched"/"file" (e.g. "reconstructed")
    alert_config: Path | None = None  # apprise config file (else $SUPPORTMATRIX_ALERT_CONFIG / _URLS)
    source_repo: Path | None = None  # a local clone holding the page's markdown source (corroboration)
    source_hosts: tuple[str, ...] | None = None  # GitHub hosts for the source (None: $SUPPORTMATRIX_SOURCE_HOSTS)
    policy: fetching.FetchPolicy = field(default_factory=fetching.FetchPolicy)
    lock_timeout: float | None = None  # seconds to wait for another run (None: $SUPPORTMATRIX_LOCK_TIMEOUT or 300)

    @property
    def spec(self) -> PageSpec:
        from .pages import or_default

        return or_default(self.page)


@dataclass
class RunResult:
    status: str  # "published", "unchanged"
    snapshot_id: str | None = None
    fell_back: bool = False
    messages: list[str] = field(default_factory=list)

    def say(self, line: str) -> None:
        self.messages.append(line)
        print(line, file=sys.stderr)


def run(opts: RunOptions) -> RunResult:
    """The job, watched: every failure, expected or not, is announced as a pipeline-health alert (once)
    and raised as a PipelineError (one line, its documented exit code); see ``pipeline._failures``."""
    from ._failures import as_pipeline_error, check_state

    result = RunResult(status="published")
    with contextlib.ExitStack() as held:  # the run lock, once taken, is held until the failure is announced
        try:
            held.enter_context(_runlock.held(opts.snapshots, opts.lock_timeout))
            check_state(opts.snapshots)  # an index of the wrong shape fails before anything is written
            _run(opts, result)
            _alert_success(opts, result)
        except StoreBusy:
            raise  # another run is at work: not a failure of the pipeline, no health alert
        except Exception as exc:  # PipelineErrors, and bugs or environments nobody planned for
            error = (
                exc
                if isinstance(exc, PipelineError)
                else as_pipeline_error(exc, snapshots=opts.snapshots, output=opts.output)
            )
            try:
                _alert_failure(opts, result, error)
            except Exception as failed:  # announcing must never hide the failure it announces
                result.say(f"alerts: health alert not sent: {type(failed).__name__}: {' '.join(str(failed).split())}")
            if error is exc:
                raise
            raise error from exc
    return result


def _run(opts: RunOptions, result: RunResult) -> RunResult:
    from .store.recovery import recover

    store = SnapshotStore(opts.snapshots)
    # 0. finish what a killed run left half done, repair damaged history or alert state
    for line in recover(store, hold=lambda changes: _hold(opts, changes)):
        result.say(line)
    # 1. load inputs
    previous, baseline = store.latest_good(), store.baseline()
    fetched = _fetch_or_fall_back(opts, store, previous, result)
    if fetched.not_modified and previous is not None and not _published(opts.output, previous):
        # 304, but output/ is missing or altered: rebuild it from the page the validators came from
        store.touch(previous.id, fetched.fetched_at)
        fetched = from_snapshot(previous)
    if fetched.not_modified and previous is not None:
        store.touch(previous.id, fetched.fetched_at)
        result.status, result.snapshot_id = "unchanged", previous.id
        result.say(f"unchanged: the server answered 304 Not Modified (snapshot {previous.id})")
        return result
    if previous is not None and fetched.sha256 == previous.sha256 and _published(opts.output, previous):
        store.touch(previous.id, fetched.fetched_at)
        result.status, result.snapshot_id = "unchanged", previous.id
        result.say(f"unchanged: same page as snapshot {previous.id}; nothing to publish")
        return result
    # 2. process
    revision = build(fetched.body, fetched, opts.spec)
    meta = snapshot_meta(revision, fetched)
    validation = _audit(opts, store, previous, baseline, fetched, revision, meta, result)  # fail closed
    # 3. save outputs: durable before visible
    staged = store.prepare(page=fetched.body, meta=meta, frames=revision.frames, validation=validation)
    point("prepared")
    _save(opts, store, previous, baseline, staged, revision, validation, result)
    return result


def _save(
    opts: RunOptions,
    store: SnapshotStore,
    previous: Snapshot | None,
    baseline: Snapshot | None,
    staged: Snapshot,
    revision: Revision,
    validation: dict[str, object] | None,
    result: RunResult,
    *,
    at: str | None = None,
) -> Snapshot:
    """Move the baseline to a prepared (or quarantined) snapshot, publish, announce: the save steps that
    ``run`` and ``accept`` share. See ``pipeline.store.moves`` for the order and why. ``at`` dates the
    move (default: when the page was fetched)."""
    at = at or str(revision.page["fetched_at"])
    move = moves.plan(previous, baseline, staged, at=at, validation=validation)
    if move is None:
        from .diff import empty

        changes = empty()
        snapshot = store.commit(staged, checked_at=at, validation=validation)
        history = store.changes()
    else:
        changes, history = moves.move(
            store, move, staged, frames=revision.frames, hold=lambda c: _hold(opts, c), validation=validation
        )
        snapshot = store.find(staged.sha256) or staged
    point("committed")
    from .publish import publish

    publish(opts.output, revision.frames, history, snapshot.meta)
    point("published")
    result.snapshot_id = snapshot.id
    result.say(f"published: snapshot {snapshot.id} ({_summary(revision)}) to {opts.output}")
    result.say(_changes_line(changes, move, snapshot, revision.spec.alert_title))
    _announce(opts, changes, snapshot, result)  # validated and published; the baseline has no changes
    return snapshot


def _changes_line(changes: pd.DataFrame, move: moves.Transition | None, snapshot: Snapshot, revision_title: str) -> str:
    from .diff.summary import title

    if move is None:
        return f"no move: snapshot {snapshot.id} is the page seen last, or not an authored page; no changes"
    if move.kind == moves.BASELINE:
        if move.source is None:
            return f"baseline: first snapshot {snapshot.id}, no changes to report"
        return (
            f"baseline: snapshot {snapshot.id} replaces {move.source}, which was no authored page; "
            "differences from it are not reported as changes"
        )
    return f"{title(changes, revision_title)} (snapshot {move.source} -> {snapshot.id})"


def _fetch_or_fall_back(
    opts: RunOptions, store: SnapshotStore, previous: Snapshot | None, result: RunResult
) -> fetching.Fetched:
    fetched_at = opts.fetched_at or utc_now()
    validators = None
    if previous is not None:
        validators = fetching.Validators(previous.meta.get("etag"), previous.meta.get("last_modified"))
    try:
        source, policy = opts.source or opts.spec.url, opts.policy
        if policy.allowed_hosts is None:  # the page's own hosts, unless the caller named others
            policy = replace(policy, allowed_hosts=opts.spec.allowed_hosts)
        fetched = fetching.fetch(source, validators=validators, policy=policy, fetched_at=fetched_at)
    except OfflineError as exc:
        if opts.require_live:
            raise
        newest = previous  # the newest good snapshot, read at the start of the run
        if newest is None:
            raise FetchError(f"{exc.message}, and there is no snapshot in {opts.snapshots} to rebuild from") from exc
        result.fell_back = True
        result.say(f"offline: {exc.message}; rebuilding from the newest snapshot {newest.id}")
        return from_snapshot(newest)
    if opts.provenance:
        fetched = replace(fetched, provenance=opts.provenance)
    return fetched


def _published(output: Path, snapshot: Snapshot) -> bool:
    """``output/`` holds this snapshot's publication, complete (else the run rebuilds it)."""
    import json

    from .publish._verify import intact

    page = output / "latest" / "page.json"
    try:
        rows = json.loads(page.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return bool(rows) and rows[0].get("sha256") == snapshot.sha256 and intact(output)


def _audit(
    opts: RunOptions,
    store: SnapshotStore,
    previous: Snapshot | None,
    baseline: Snapshot | None,
    fetched: fetching.Fetched,
    revision: Revision,
    meta: dict[str, object],
    result: RunResult,
) -> dict[str, object]:
    """Validate before anything is stored as good, compared or published; the result goes next to the snapshot.

    On failure the page and its datasets are quarantined (snapshots/quarantine/<id>/, with
    validation.json) and ValidationFailed is raised: output/ is untouched and no change alert is
    sent. ``--force`` publishes anyway, loudly, with ``forced: true`` in the snapshot meta.
    """
    point("validating")
    known = previous if previous is not None and previous.sha256 == fetched.sha256 else store.find(fetched.sha256)
    stored = _validated_before(known, fetched, revision)
    if stored is not None:
        assert known is not None
        verdict = {"accepted": "was accepted", "restructured": "was confirmed restructured"}
        said = verdict.get(str(stored.get("outcome")), "passed")
        result.say(f"validation: same page and datasets as snapshot {known.id}, which {said}; not re-run")
        return stored
    from .validate import validate
    from .validate.restructure import failure_line, settle
    from .validate.source import source_hosts

    # drift is measured from the authored baseline: a partial capture must not make a whole page "drift"
    before = baseline.frames() if baseline is not None else None
    report = validate(revision.frames, previous=before, page=revision.spec)
    print("\n".join(report.summary_lines()))
    hosts = opts.source_hosts if opts.source_hosts is not None else source_hosts()
    validation: dict[str, object] = settle(report.to_dict(), revision, before, clone=opts.source_repo, hosts=hosts)
    meta.update(
        {k: validation[k] for k in ("outcome", "failure_kind", "source_agreement", "restructure") if k in validation}
    )
    if validation["success"]:
        if not report.success:
            result.say(f"restructured: {report.reason()}, confirmed against the authored source; publishing")
        return validation
    if not opts.force:
        held = store.store(
            page=fetched.body, meta=meta, frames=revision.frames, validation=validation, status=QUARANTINED
        )
        result.status, result.snapshot_id = "quarantined", held.id
        where = "quarantined in" if held.status == QUARANTINED else "left as stored (good) in"
        raise ValidationFailed(
            f"{failure_line(validation)}: {report.reason()}; page and datasets {where} {held.path}",
            failed=report.failed,
            report=report,
        )
    meta["forced"] = validation["forced"] = True
    meta["outcome"] = validation["outcome"] = "forced"
    result.say(f"WARNING: --force: publishing although validation failed: {report.reason()}")
    return validation


def _validated_before(
    previous: Snapshot | None, fetched: fetching.Fetched, revision: Revision
) -> dict[str, object] | None:
    """The stored passing validation of this very page, when today's code rebuilt exactly the datasets it
    checked (rebuilding output/ from a snapshot): the same data gives the same result, without the
    seconds-long Great Expectations import."""
    if previous is None or fetched.sha256 != previous.sha256 or previous.status != GOOD:
        return None
    stored = previous.validation()
    if not stored or not stored.get("success"):
        return None
    from ._io import same_data

    before = previous.frames()
    if set(before) != set(revision.frames):
        return None
    # A person's verdict (or the authored source's) is on these very bytes: refetched, the page differs only
    # in the ``page`` dataset's fetch fields (when, ETag, ...), and validating again would fail it again:
    # an accepted page exited 5 after a killed accept, and one coming back after a flap was never recorded
    # (drift against the page it flapped to; both found by attacks).
    accepted = stored.get("outcome") in ("accepted", "restructured")
    if all(
        same_data(frame, before[name], name)
        for name, frame in revision.frames.items()
        if not (accepted and name == "page")
    ):
        return stored
    return None


def _summary(revision: Revision) -> str:
    frames = revision.frames
    return ", ".join(f"{len(frames[n])} {n}" for n in ("tables", "cells", "footnotes", "notes") if n in frames)


def _hold(opts: RunOptions, changes: pd.DataFrame) -> None:
    from . import alerts

    alerts.hold(changes, snapshots=opts.snapshots, config=opts.alert_config)


def _announce(opts: RunOptions, changes: pd.DataFrame, snapshot: Snapshot, result: RunResult) -> None:
    """One change alert for this run's changes (and any whose delivery failed before)."""
    from . import alerts

    links = alerts.links(snapshot.meta, opts.output)
    line = alerts.notify(changes, snapshots=opts.snapshots, links=links, config=opts.alert_config).line
    if line:
        result.say(line)


def _alert_failure(opts: RunOptions, result: RunResult, exc: PipelineError) -> None:
    """Announce a failed run (not a usage or alerting problem: those are the operator's to see)."""
    from . import alerts

    if isinstance(exc, (UsageError, AlertError)):
        return
    outcome = alerts.health_failure(
        exc,
        snapshots=opts.snapshots,
        snapshot_id=result.snapshot_id,
        quarantined=result.status == "quarantined",
        config=opts.alert_config,
        page=opts.spec.alert_title,
    )
    if outcome.line:
        result.say(outcome.line)


def _alert_success(opts: RunOptions, result: RunResult) -> None:
    """After a good run: retry undelivered change alerts, and say "recovered" if a failure was announced.
    A run rebuilt from a snapshot while offline proves nothing about the pipeline's health."""
    from . import alerts

    lines = []
    if result.status == "unchanged":
        latest = SnapshotStore(opts.snapshots).latest_good()
        links = alerts.links(latest.meta if latest else None, opts.output)
        lines.append(alerts.retry_pending(snapshots=opts.snapshots, links=links, config=opts.alert_config).line)
    if not result.fell_back:
        lines.append(
            alerts.health_ok(snapshots=opts.snapshots, config=opts.alert_config, page=opts.spec.alert_title).line
        )
    for line in filter(None, lines):
        result.say(line)
