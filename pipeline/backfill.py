"""Backfill: replay the article's source history into snapshots and the change history.

A recipe like ``run``, once per committed version of the markdown, oldest first:

1. load inputs: every version of the file from local clones (``git log --follow``)
   and/or the GitHub API, stitched across repositories in date order, versions
   identical to the one before dropped;
2. process: render each version into Learn's HTML (:mod:`pipeline.render`),
   then the unchanged build (extract + normalise) -- in ``--jobs`` processes;
3. save outputs, in order: validate against the last good revision, snapshot
   (provenance "git", fetched_at = commit time), diff against the last good
   revision; a revision failing validation is quarantined and skipped, and the
   next diff starts from the last good one. Finally append the changes to the
   cumulative history and, with ``--output``, publish.

Validating and diffing a revision only needs the revision before it, so the
workers take contiguous runs of versions (plus the version before the run) and
validate and diff each against its predecessor, speculatively: when that
predecessor turns out to be the last good revision (always, unless one was
quarantined), the main process keeps the result; otherwise it validates and
diffs again against the last good one. The outcome is the same as one process
doing everything in order.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._git import file_history
from ._versions import Version, stitch, window
from .errors import ExtractError, NormaliseError, UsageError
from .fetch import DEFAULT_URL, Fetched
from .render import PROVENANCE, SourceInfo, render

if TYPE_CHECKING:
    import pandas as pd

    from .snapshots import Snapshot, SnapshotStore

CURRENT_PATH = "articles/defender-for-cloud/support-matrix-defender-for-containers.md"
FORMER_PATH = "articles/defender-for-cloud/supported-machines-endpoint-solutions-clouds-containers.md"
DEFAULT_PATHS = (CURRENT_PATH, FORMER_PATH)
_CHUNK = 12  # versions per worker task: big enough to amortise the context version, small enough to balance


@dataclass(frozen=True)
class BackfillOptions:
    git_repos: tuple[Path, ...] = ()
    github: tuple[str, ...] = ()  # OWNER/REPO
    paths: tuple[str, ...] = DEFAULT_PATHS
    since: str | None = None  # YYYY-MM-DD or ISO time, inclusive
    until: str | None = None
    snapshots: Path = Path("snapshots")
    output: Path | None = None
    jobs: int = 1
    cache_dir: Path = Path(".cache/github")
    progress: bool | None = None  # None: a bar only when stderr is a terminal
    canonical_url: str = DEFAULT_URL  # Learn serves every revision under today's URL (older ones redirect)


@dataclass
class BackfillResult:
    versions: int = 0  # distinct versions found in the window
    good: int = 0
    quarantined: int = 0
    changes: int = 0
    snapshot_ids: list[str] = field(default_factory=list)
    quarantined_ids: list[str] = field(default_factory=list)
    history: pd.DataFrame | None = None  # the changes this backfill found, in order
    published: Path | None = None


@dataclass(frozen=True)
class Built:
    """One version after render + build, as a worker returns it (pickled)."""

    version: Version
    fetched: Fetched
    frames: dict[str, pd.DataFrame]
    meta: dict[str, Any]  # snapshot meta
    # speculative: validated and diffed against the version before it (None: validated with no previous)
    paired_with: str | None = None
    validation: dict[str, Any] | None = None
    changes: pd.DataFrame | None = None  # None when validation failed

    error: str | None = None  # why the page could not be read (extract/normalise failed)

    def paired(self, previous: Built | None) -> Built:
        from dataclasses import replace

        if self.error is not None:
            validation: dict[str, Any] = {"success": False, "failed": [self.error], "results": []}
        else:
            validation = validate_revision(self.frames, previous.frames if previous else None)
        changes = None
        if validation["success"]:
            changes = compare(previous, self) if previous is not None else _empty()
        return replace(
            self, paired_with=previous.version.commit if previous else None, validation=validation, changes=changes
        )


# -- 1. load inputs ------------------------------------------------------------


def collect(opts: BackfillOptions) -> list[Version]:
    """Every distinct version in the window, oldest first, from all sources."""
    if not opts.git_repos and not opts.github:
        raise UsageError("give at least one --git-repo PATH or --github OWNER/REPO")
    histories = [file_history(repo, opts.paths) for repo in opts.git_repos]
    for slug in opts.github:
        from .github_api import GitHubAPI

        api = GitHubAPI(slug, opts.cache_dir)
        try:
            histories.append(api.history(opts.paths))
        finally:
            api.close()
    return window(stitch(histories), opts.since, opts.until)


# -- 2. process (in worker processes) ------------------------------------------------


def build_version(version: Version, canonical_url: str = DEFAULT_URL) -> Built:
    """Render one version and run the unchanged build on it (pure apart from the clock-free inputs)."""
    from .build import build
    from .run import snapshot_meta

    source = SourceInfo(version.commit, version.committed_at, version.path, version.repo, canonical_url)
    body = render(version.text, source)
    fetched = Fetched(
        source=_source(version),
        body=body,
        final_url=None,
        fetched_at=version.committed_at,
        http_status=None,
        etag=None,
        last_modified=None,
        provenance=PROVENANCE,
    )
    try:
        revision = build(body, fetched)
        frames = dict(revision.frames)
        if "features" not in frames:  # build() gains normalise in issue 3; until then add the tidy frames here
            from .normalise import normalise

            frames.update(normalise(revision.document))
    except (ExtractError, NormaliseError) as exc:
        # a commit that broke the page: kept (quarantined) for a person to look at, like a bad fetch
        meta = {**_unread_meta(fetched), "git_commit_id": version.commit, "updated_at": version.committed_at}
        return Built(version, fetched, {}, meta, error=exc.one_line())
    from .build import Revision

    return Built(version, fetched, frames, snapshot_meta(Revision(revision.document, frames), fetched))


def _unread_meta(fetched: Fetched) -> dict[str, Any]:
    keys = ("source", "final_url", "fetched_at", "http_status", "etag", "last_modified", "provenance")
    return {**{k: getattr(fetched, k) for k in keys}, "sha256": fetched.sha256, "bytes": fetched.bytes}


def _source(version: Version) -> str:
    if version.repo:
        return f"https://github.com/{version.repo}/blob/{version.commit}/{version.path}"
    return f"{version.origin}/{version.path}@{version.commit}"


def _build_run(task: tuple[Sequence[Version], bool, str]) -> list[Built]:
    """A contiguous run of versions, each validated and diffed against the one before it; the first
    is only context (built, and returned, by the run before) when ``has_context``."""
    versions, has_context, canonical = task
    out: list[Built] = []
    previous: Built | None = None
    for n, version in enumerate(versions):
        built = build_version(version, canonical)
        if not (has_context and n == 0) and (previous is None or previous.error is None):
            built = built.paired(previous)  # else left unpaired: the main process pairs it
        out.append(built)
        previous = built
    return out[1:] if has_context else out


def built_in_order(versions: Sequence[Version], jobs: int, canonical: str) -> Iterator[Built]:
    """Every version built, in order; ``jobs`` > 1 builds runs of them in parallel processes."""
    tasks = []
    for start in range(0, len(versions), _CHUNK):
        context = start > 0
        tasks.append((versions[start - 1 if context else start : start + _CHUNK], context, canonical))
    if jobs <= 1 or len(tasks) <= 1:
        for task in tasks:
            yield from _build_run(task)
        return
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=jobs) as pool:
        for run in pool.map(_build_run, tasks):
            yield from run


def compare(old: Built | Snapshot, new: Built) -> pd.DataFrame:
    """The typed changes from ``old`` (a built version or a stored snapshot) to ``new``."""
    from .diff import diff

    old_frames = old.frames if isinstance(old, Built) else old.frames()
    old_meta = old.meta if isinstance(old, Built) else dict(old.meta)
    return diff(old_frames, new.frames, _diff_meta(old_meta), _diff_meta(new.meta))


def _diff_meta(meta: dict[str, Any]) -> dict[str, Any]:
    from .snapshots import snapshot_id

    return {**meta, "id": meta.get("id") or snapshot_id(str(meta["sha256"]))}


# -- 3. save outputs (main process, in order) ---------------------------------------


def backfill(opts: BackfillOptions) -> BackfillResult:
    from .snapshots import SnapshotStore

    # 1. load inputs
    versions = collect(opts)
    store = SnapshotStore(opts.snapshots)
    result = BackfillResult(versions=len(versions))
    if not versions:
        _say(f"backfill: no version of {', '.join(opts.paths)} in the given repositories and dates")
        return result
    previous: Built | Snapshot | None = _good_before(store, versions[0].committed_at)
    found: list[pd.DataFrame] = []
    # 2. process, 3. save outputs
    with _progress(len(versions), opts.progress) as bar:
        for built in built_in_order(versions, opts.jobs, opts.canonical_url):
            changes = record(store, built, previous, result)
            if changes is not None:
                previous = built
                found.append(changes)
                result.changes += len(changes)
            bar.update(1)
            bar.set_postfix(changes=result.changes, quarantined=result.quarantined, refresh=False)
    bridge = _bridge(store, previous, versions[-1].committed_at)
    if bridge is not None:
        found.append(bridge)
        result.changes += len(bridge)
    result.history = _concat(found)
    store.append_changes(result.history)
    _say(
        f"backfill: {result.versions} versions -> {result.good} good, {result.quarantined} quarantined, "
        f"{result.changes} changes; history in {opts.snapshots}"
    )
    if opts.output is not None:
        result.published = _publish(store, opts.output)
        _say(f"published: {result.published}")
    return result


def record(store: SnapshotStore, built: Built, previous: Built | Snapshot | None, result: BackfillResult) -> Any:
    """Validate, snapshot and diff one built version against the last good revision;
    the changes (None when quarantined)."""
    from .snapshots import QUARANTINED

    if not _paired_with(built, previous):
        built = _against_snapshot(built, previous) if previous is not None else built.paired(None)
    validation, changes = built.validation or {}, built.changes
    page = built.fetched.body
    if not validation.get("success", False):
        snapshot = store.store(
            page=page, meta=built.meta, frames=built.frames, validation=validation, status=QUARANTINED
        )
        result.quarantined += 1
        result.quarantined_ids.append(snapshot.id)
        failed = ", ".join(map(str, validation.get("failed", []))) or "see validation.json"
        _say(f"quarantined: {built.version.commit[:12]} ({built.version.committed_at}): {failed}")
        return None
    snapshot = store.store(page=page, meta=built.meta, frames=built.frames, validation=validation)
    result.good += 1
    result.snapshot_ids.append(snapshot.id)
    return changes if changes is not None else _empty()


def _paired_with(built: Built, previous: Built | Snapshot | None) -> bool:
    """Did the worker validate and diff ``built`` against ``previous``, the last good revision?"""
    if built.validation is None:
        return False
    if previous is None:
        return built.paired_with is None
    return isinstance(previous, Built) and built.paired_with == previous.version.commit


def _against_snapshot(built: Built, previous: Built | Snapshot) -> Built:
    """Validate and diff again, against the last good revision (a quarantine broke the pairing)."""
    from dataclasses import replace

    if isinstance(previous, Built):
        return built.paired(previous)
    if built.error is not None:
        return built.paired(None)
    frames = previous.frames()
    validation = validate_revision(built.frames, frames)
    changes = compare(previous, built) if validation["success"] else None
    return replace(built, paired_with=previous.meta.get("git_commit_id"), validation=validation, changes=changes)


def validate_revision(frames: dict[str, pd.DataFrame], previous: dict[str, pd.DataFrame] | None) -> dict[str, Any]:
    """The validation result (``success``, ``failed``, ``results`` ...), the same suites ``run`` applies."""
    from .validate import validate

    return validate(frames, previous=previous).to_dict()


def _empty() -> pd.DataFrame:
    from .diff import empty

    return empty()


def _good_before(store: SnapshotStore, moment: str) -> Snapshot | None:
    earlier = [s for s in store.good() if str(s.meta.get("fetched_at", "")) < moment]
    return earlier[-1] if earlier else None


def _bridge(store: SnapshotStore, last: Built | Snapshot | None, moment: str) -> pd.DataFrame | None:
    """Changes from the last backfilled revision to the first good snapshot after it (a scraped one)."""
    if not isinstance(last, Built):
        return None
    later = [s for s in store.good() if str(s.meta.get("fetched_at", "")) > moment and s.sha256 != last.meta["sha256"]]
    if not later:
        return None
    from .diff import diff

    first = later[0]
    return diff(last.frames, first.frames(), _diff_meta(last.meta), _diff_meta(dict(first.meta)))


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    import pandas as pd

    kept = [f for f in frames if len(f)]
    return pd.concat(kept, ignore_index=True) if kept else _empty()


def _publish(store: SnapshotStore, output: Path) -> Path:
    from .publish import publish

    newest = store.latest_good()
    if newest is None:
        raise UsageError("nothing to publish: every revision failed validation")
    return publish(output, newest.frames(), store.changes(), dict(newest.meta))


def _say(line: str) -> None:
    print(line, file=sys.stderr)


def _progress(total: int, enabled: bool | None) -> Any:
    from tqdm import tqdm

    show = sys.stderr.isatty() if enabled is None else enabled
    return tqdm(total=total, unit="rev", desc="backfill", file=sys.stderr, disable=not show, dynamic_ncols=True)
