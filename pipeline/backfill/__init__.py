"""Backfill: replay the article's source history into snapshots and the change history.

A recipe like ``run``, once per committed version of the markdown, oldest first:

1. load inputs: every version of the file from local clones (``git log --follow``)
   and/or the GitHub API, stitched across repositories in date order, versions
   identical to the one before dropped;
2. process: render each version into Learn's HTML (:mod:`pipeline.backfill.render`),
   then the unchanged build (extract + normalise) -- in ``--jobs`` processes;
3. save outputs, in order: validate against the last good revision, snapshot
   (provenance "git", fetched_at = commit time), diff against the last good
   revision; a revision failing validation is quarantined and skipped, and the
   next diff starts from the last good one. Finally append the changes to the
   cumulative history and, with ``--output``, publish.

Validating and diffing a revision only needs the last good revision before it,
so workers take runs of consecutive versions and play the chain on them
(validate against the last good one, diff, move on) starting from a guess of
the last good revision before the run: the version just before it, or, while
versions are being quarantined, the main process's last good one. The main
process keeps a worker's result when the guess was right (nearly always) and
validates and diffs again against the real last good revision when it was
not, so the outcome is the same as one process doing everything in order.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..diff import empty
from ..errors import UsageError, ValidationFailed
from ..store import journal
from ..store.journal import BASELINE, CHANGED, Transition
from ..store.snapshots import authored, snapshot_id
from ._git import file_history
from ._replay import Built, against_snapshot, build_run, diff_meta, rebuilt
from ._revisions import Version, daily, stitch, window

if TYPE_CHECKING:
    import pandas as pd

    from ..pages import PageSpec
    from ..store.snapshots import Snapshot, SnapshotStore

__all__ = [
    "BackfillOptions",
    "BackfillResult",
    "backfill",
    "collect",
    "record",
]

_CHUNK = 12  # versions per worker task: big enough to amortise the context version, small enough to balance


@dataclass(frozen=True)
class BackfillOptions:
    git_repos: tuple[Path, ...] = ()
    github: tuple[str, ...] = ()  # OWNER/REPO
    paths: tuple[str, ...] = ()  # the file's paths in the repositories (empty: the page's, from its spec)
    since: str | None = None  # YYYY-MM-DD or ISO time, inclusive
    until: str | None = None
    snapshots: Path = Path("snapshots")
    output: Path | None = None
    jobs: int = 1
    cache_dir: Path = Path(".cache/github")
    progress: bool | None = None  # None: a bar only when stderr is a terminal
    page: PageSpec | None = None  # which page (None: pipeline.pages.DEFAULT): its URL, build and suites
    granularity: str = "commit"  # "commit": every version; "day": the last version of each UTC day
    transient_hours: float | None = None  # changes reverted within this many hours are transient (None: default)

    @property
    def spec(self) -> PageSpec:
        from ..pages import or_default

        return or_default(self.page)

    @property
    def file_paths(self) -> tuple[str, ...]:
        return self.paths or self.spec.paths


@dataclass
class BackfillResult:
    versions: int = 0  # distinct versions found in the window
    good: int = 0
    quarantined: int = 0
    restructured: int = 0  # good ones whose drift failure is an authored restructure
    changes: int = 0
    transient: int = 0  # transient events (changes undone within the window), not counted in ``changes``
    snapshot_ids: list[str] = field(default_factory=list)
    quarantined_ids: list[str] = field(default_factory=list)
    history: pd.DataFrame | None = None  # the changes this backfill found, in order
    published: Path | None = None


# -- 1. load inputs ------------------------------------------------------------


def collect(opts: BackfillOptions) -> list[Version]:
    """Every distinct version in the window, oldest first, from all sources."""
    if not opts.git_repos and not opts.github:
        raise UsageError("give at least one --git-repo PATH or --github OWNER/REPO")
    histories = [file_history(repo, opts.file_paths) for repo in opts.git_repos]
    for slug in opts.github:
        from ._github_rest import GitHubAPI

        api = GitHubAPI(slug, opts.cache_dir)
        try:
            histories.append(api.history(opts.file_paths))
        finally:
            api.close()
    if opts.granularity not in ("commit", "day"):
        raise UsageError(f"--granularity is 'commit' or 'day', not {opts.granularity!r}")
    found = window(stitch(histories), opts.since, opts.until)
    return daily(found) if opts.granularity == "day" else found


# -- 2. process (in worker processes) ------------------------------------------------


def built_in_order(
    versions: Sequence[Version],
    jobs: int,
    page: PageSpec,
    context: Callable[[int], Version | None],
    store: Path | None = None,
) -> Iterator[Built]:
    """Every version built, validated and diffed, in order. Runs of versions go to ``jobs`` processes,
    a few at a time, each with ``context(start)``: the main process's best guess, when the run is
    handed out, of the last good version before it."""
    starts = range(0, len(versions), _CHUNK)
    if jobs <= 1 or len(starts) <= 1:
        for start in starts:  # the guess is exact: every version before the run has been recorded
            yield from build_run((versions[start : start + _CHUNK], context(start), page, store))
        return
    from collections import deque
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=jobs) as pool:
        pending: deque = deque()
        for start in starts:
            task = (versions[start : start + _CHUNK], context(start), page, store)
            pending.append(pool.submit(build_run, task))
            if len(pending) > jobs:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()


@dataclass
class _Chain:
    """The main process's view while recording: the last good revision, and whether the versions just
    recorded were quarantined (then the runs handed out next are paired with that last good one)."""

    versions: Sequence[Version]
    last_good: Built | Snapshot | None
    recorded: int = 0
    failing: bool = False

    def context(self, start: int) -> Version | None:
        if start == 0:
            return None
        if self.recorded < start and not self.failing:
            return self.versions[start - 1]  # the usual case: assume the version before is good
        return self.last_good.version if isinstance(self.last_good, Built) else None

    def advance(self, built: Built, good: bool) -> None:
        self.recorded += 1
        self.failing = not good
        if good:
            self.last_good = built


# -- 3. save outputs (main process, in order) ---------------------------------------


def backfill(opts: BackfillOptions) -> BackfillResult:
    """The replay, holding the store's run lock throughout (no run may move the baseline meanwhile)."""
    from ..store.runlock import held

    with held(opts.snapshots):
        return _backfill(opts)


def _backfill(opts: BackfillOptions) -> BackfillResult:
    from ..store.snapshots import SnapshotStore

    # 1. load inputs
    versions = collect(opts)
    store = SnapshotStore(opts.snapshots)
    result = BackfillResult(versions=len(versions))
    if not versions:
        _say(f"backfill: no version of {', '.join(opts.file_paths)} in the given repositories and dates")
        return result
    chain = _Chain(versions, _good_before(store, versions[0].committed_at))
    found: list[pd.DataFrame] = []
    moves: list[Transition] = []
    # 2. process, 3. save outputs: snapshot folders as they come; the moves logged, the history
    # appended, and only then the index written once (a kill anywhere leaves the store as it was)
    with store.batch(), _progress(len(versions), opts.progress) as bar:
        for built in built_in_order(versions, opts.jobs, opts.spec, chain.context, store.root):
            before = chain.last_good
            changes = record(store, built, before, result)
            chain.advance(built, good=changes is not None)
            if changes is not None:
                found.append(changes)
                result.changes += len(changes)
                moves.append(_move(before, built))
            bar.update(1)
            bar.set_postfix(changes=result.changes, quarantined=result.quarantined, refresh=False)
        bridge = _bridge(store, chain.last_good, versions[-1].committed_at)
        if bridge is not None:
            found.append(bridge[0])
            result.changes += len(bridge[0])
            moves.append(bridge[1])
        found_changes = _concat(found)
        result.history = _with_transient(store, found_changes, opts.transient_hours)
        result.transient = len(result.history) - len(found_changes)
        journal.append(store.root, *moves)
        store.append_changes(result.history)
    _say(
        f"backfill: {result.versions} versions -> {result.good} good, {result.quarantined} quarantined, "
        f"{result.changes} changes; history in {opts.snapshots}"
        + (
            f"; {result.restructured} restructured (drift failures of the authored source)"
            if result.restructured
            else ""
        )
        + (f"; {result.transient} transient (undone within the window)" if result.transient else "")
    )
    if opts.output is not None:
        result.published = _publish(store, opts.output)
        _say(f"published: {result.published}")
    return result


def record(store: SnapshotStore, built: Built, previous: Built | Snapshot | None, result: BackfillResult) -> Any:
    """Validate, snapshot and diff one built version against the last good revision;
    the changes (None when quarantined)."""
    from ..store.snapshots import GOOD, QUARANTINED

    if not _paired_with(built, previous):
        if built.staged is not None:  # staged for the worker's verdict, which no longer holds
            shutil.rmtree(built.staged.path, ignore_errors=True)
        built = against_snapshot(built, previous) if previous is not None else built.paired(None)
    validation, changes = built.validation or {}, built.changes
    if not validation.get("success", False):
        snapshot = _keep(store, built, validation, QUARANTINED)
        result.quarantined += 1
        result.quarantined_ids.append(snapshot.id)
        failed = ", ".join(map(str, validation.get("failed", []))) or "see validation.json"
        kind = validation.get("failure_kind") or "validity"
        _say(f"quarantined: {built.version.commit[:12]} ({built.version.committed_at}): {kind} failure: {failed}")
        return None
    snapshot = _keep(store, built, validation, GOOD)
    result.good += 1
    result.snapshot_ids.append(snapshot.id)
    if validation.get("outcome") == "restructured":
        result.restructured += 1
        _say(f"restructured: {built.version.commit[:12]} ({built.version.committed_at}): drift failure accepted")
    return changes if changes is not None else empty()


def _keep(store: SnapshotStore, built: Built, validation: dict[str, Any], status: str) -> Snapshot:
    """Store the revision: its staged folder put in place when a worker wrote one, as it is usually."""
    if built.staged is None:
        return store.store(
            page=built.fetched.body, meta=built.meta, frames=built.frames, validation=validation, status=status
        )
    placed = store.place(built.staged)
    return store.commit(placed, checked_at=str(built.meta.get("fetched_at", "")), validation=validation, status=status)


def _paired_with(built: Built, previous: Built | Snapshot | None) -> bool:
    """Did the worker validate and diff ``built`` against ``previous``, the last good revision?"""
    if built.validation is None:
        return False
    if previous is None:
        return built.paired_with is None
    return isinstance(previous, Built) and built.paired_with == previous.version.commit


def _good_before(store: SnapshotStore, moment: str) -> Snapshot | None:
    earlier = [s for s in store.good() if authored(s.meta) and str(s.meta.get("fetched_at", "")) < moment]
    return earlier[-1] if earlier else None


def _move(before: Built | Snapshot | None, built: Built) -> Transition:
    """The baseline move a good backfilled revision makes, for the transition log (``pipeline.store.journal``)."""
    source = None
    if isinstance(before, Built):
        source = snapshot_id(str(before.meta["sha256"]))
    elif before is not None:
        source = before.id
    kind = CHANGED if source is not None else BASELINE
    return Transition(str(built.meta["fetched_at"]), source, snapshot_id(str(built.meta["sha256"])), kind)


def _bridge(store: SnapshotStore, last: Built | Snapshot | None, moment: str) -> tuple[pd.DataFrame, Transition] | None:
    """Changes from the last backfilled revision to the first good snapshot after it (a scraped one)."""
    if not isinstance(last, Built):
        return None
    later = [
        s
        for s in store.good()
        if authored(s.meta) and str(s.meta.get("fetched_at", "")) > moment and s.sha256 != last.meta["sha256"]
    ]  # never a reconstructed snapshot: what a partial capture lacks is no change
    if not later:
        return None
    from ..diff import diff

    first = later[0]
    move = Transition(str(first.meta.get("fetched_at") or ""), snapshot_id(str(last.meta["sha256"])), first.id)
    return diff(last.datasets(), rebuilt(first), diff_meta(last.meta), diff_meta(dict(first.meta))), move


def _with_transient(store: SnapshotStore, found: pd.DataFrame, hours: float | None) -> pd.DataFrame:
    """The changes found, followed by a ``transient`` event for each one reverting a change of the window."""
    from ..diff.transient import with_transient

    return with_transient(store.changes(), found, hours)


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    import pandas as pd

    kept = [f for f in frames if len(f)]
    return pd.concat(kept, ignore_index=True) if kept else empty()


def _publish(store: SnapshotStore, output: Path) -> Path:
    from ..publish import publish

    newest = store.latest_good()
    if newest is None:
        raise ValidationFailed("nothing to publish: every revision failed validation (see snapshots/quarantine/)")
    return publish(output, newest.frames(), store.changes(), dict(newest.meta))


def _say(line: str) -> None:
    print(line, file=sys.stderr)


def _progress(total: int, enabled: bool | None) -> Any:
    from tqdm import tqdm

    show = sys.stderr.isatty() if enabled is None else enabled
    return tqdm(total=total, unit="rev", desc="backfill", file=sys.stderr, disable=not show, dynamic_ncols=True)
