"""One version of the article's markdown through the chain (render, build, validate, diff), for backfill.

Runs in backfill's worker processes as well as in its main process; pure
apart from reading a stored snapshot when the previous good revision is one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..diff import empty
from ..errors import ExtractError, NormaliseError
from ..fetch import Fetched
from ..steps import page_of
from ._revisions import Version
from .render import PROVENANCE, SourceInfo, render

if TYPE_CHECKING:
    import pandas as pd

    from ..pages import PageSpec
    from ..store.snapshots import Snapshot


@dataclass(frozen=True)
class Built:
    """One version after render + build, as a worker returns it (pickled)."""

    version: Version
    fetched: Fetched
    frames: dict[str, pd.DataFrame]
    meta: dict[str, Any]  # snapshot meta
    # validated and diffed against the revision the worker took as the last good one (None: none before)
    paired_with: str | None = None
    validation: dict[str, Any] | None = None  # None: not validated yet
    changes: pd.DataFrame | None = None  # None when validation failed
    error: str | None = None  # why the page could not be read (extract/normalise failed)
    # the snapshot folder the worker wrote for this outcome, to be put in place (then ``frames`` is
    # empty: what the main process needs again it rebuilds, rather than receive it pickled)
    staged: Snapshot | None = None

    def datasets(self) -> dict[str, pd.DataFrame]:
        """The built frames (built again from the page when the worker kept them to itself)."""
        if self.frames or self.error is not None:
            return self.frames
        from ..diff import prepare
        from ..steps import build

        return prepare(dict(build(self.fetched.body, self.fetched, page_of(self.meta)).frames))

    def paired(self, previous: Built | None) -> Built:
        if not self.frames and self.error is None:  # validated and diffed here: built again, once
            return replace(self, frames=self.datasets()).paired(previous)
        if self.error is not None:
            validation: dict[str, Any] = {
                "success": False,
                "failure_kind": "validity",
                "outcome": "quarantined",
                "failed": [self.error],
                "results": [],
            }
        else:
            validation = validate_revision(
                self.frames, previous.datasets() if previous else None, self.version.commit, page_of(self.meta)
            )
        built = self.with_outcome(validation)
        changes = None
        if validation["success"]:
            changes = compare(previous, built) if previous is not None else empty()
        return replace(
            built,
            paired_with=previous.version.commit if previous else None,
            validation=validation,
            changes=changes,
            staged=None,
        )

    def with_outcome(self, validation: dict[str, Any]) -> Built:
        """The snapshot meta says what validation decided (a restructure goes on to the diff)."""
        from ..validate.restructure import EVENT_KEYS

        keys = ("outcome", "failure_kind", *EVENT_KEYS)
        meta = {k: v for k, v in self.meta.items() if k not in keys}
        return replace(self, meta={**meta, **{k: validation[k] for k in keys if k in validation}})


def build_version(version: Version, page: PageSpec) -> Built:
    """Render one version and run the unchanged build on it (pure apart from the clock-free inputs).
    Learn serves every revision under the page's URL today (older ones redirect): its canonical URL."""
    from ..diff import prepare
    from ..steps import build, snapshot_meta

    source = SourceInfo(version.commit, version.committed_at, version.path, version.repo, page.url)
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
        revision = build(body, fetched, page)
    except (ExtractError, NormaliseError) as exc:
        # a commit that broke the page: kept (quarantined) for a person to look at, like a bad fetch
        meta = {**_unread_meta(fetched), "git_commit_id": version.commit, "updated_at": version.committed_at}
        meta["page"] = page.slug
        return Built(version, fetched, {}, meta, error=exc.one_line())
    # wrapped for the diff, which then converts this version's rows once though it is compared twice
    # (with the version before it and the one after it)
    return Built(version, fetched, prepare(dict(revision.frames)), snapshot_meta(revision, fetched))


def _unread_meta(fetched: Fetched) -> dict[str, Any]:
    keys = ("source", "final_url", "fetched_at", "http_status", "etag", "last_modified", "provenance")
    return {**{k: getattr(fetched, k) for k in keys}, "sha256": fetched.sha256, "bytes": fetched.bytes}


def _source(version: Version) -> str:
    if version.repo:
        return f"https://github.com/{version.repo}/blob/{version.commit}/{version.path}"
    return f"{version.origin}/{version.path}@{version.commit}"


def build_run(task: tuple[Sequence[Version], Version | None, PageSpec, Path | None]) -> list[Built]:
    """A contiguous run of versions through the whole chain as the main process will see it, taking
    ``context`` (built again here, not returned) as the last good revision before the run. With a
    store, each version's snapshot folder is staged there and its frames stay here."""
    versions, context, page, store = task
    last_good = build_version(context, page) if context is not None else None
    if last_good is not None and last_good.error is not None:
        last_good = None
    out = []
    for version in versions:
        built = build_version(version, page).paired(last_good)
        if built.changes is not None:
            last_good = built
        out.append(staged(built, store) if store is not None else built)
    # durable before the main process can place them: the run's folders flushed at once, not file by file
    from ..publish._swap import fsync_trees

    fsync_trees([b.staged.path for b in out if b.staged is not None])
    return out


def staged(built: Built, store: Path) -> Built:
    """``built`` with its snapshot folder written in ``store`` as the main process would store it, not yet
    flushed to disk (:func:`build_run` flushes its whole run before returning it)."""
    from ..store._folder import stage
    from ..store.snapshots import GOOD, QUARANTINED, Snapshot, snapshot_id

    validation = built.validation or {}
    ident = snapshot_id(str(built.meta["sha256"]))
    status = GOOD if validation.get("success", False) else QUARANTINED
    path, entry = stage(
        store,
        ident,
        page=built.fetched.body,
        meta=built.meta,
        frames=built.frames,
        validation=validation,
        status=status,
        durable=False,  # build_run flushes its whole run at once
    )
    return replace(built, frames={}, staged=Snapshot(ident, path, entry))


def compare(old: Built | Snapshot, new: Built) -> pd.DataFrame:
    """The typed changes from ``old`` (a built version or a stored snapshot) to ``new``."""
    from ..diff import diff

    if isinstance(old, Built):
        return diff(old.datasets(), new.datasets(), diff_meta(old.meta), diff_meta(new.meta))
    return diff(rebuilt(old), new.datasets(), diff_meta(dict(old.meta)), diff_meta(new.meta))


def rebuilt(snapshot: Snapshot) -> dict[str, pd.DataFrame]:
    """A stored revision rebuilt with today's rules, exactly as ``run`` compares (``pipeline.store.moves``)."""
    from ..store.moves import rebuilt as rebuild

    return rebuild(snapshot)


def diff_meta(meta: dict[str, Any]) -> dict[str, Any]:
    from ..store.snapshots import snapshot_id

    return {**meta, "id": meta.get("id") or snapshot_id(str(meta["sha256"]))}


def against_snapshot(built: Built, previous: Built | Snapshot) -> Built:
    """Validate and diff again, against the last good revision (a quarantine broke the pairing)."""
    if isinstance(previous, Built):
        return built.paired(previous)
    if built.error is not None:
        return built.paired(None)
    frames = previous.frames()
    built = replace(built, frames=built.datasets(), staged=None)
    validation = validate_revision(built.frames, frames, built.version.commit, page_of(built.meta))
    built = built.with_outcome(validation)
    changes = compare(previous, built) if validation["success"] else None
    return replace(built, paired_with=previous.meta.get("git_commit_id"), validation=validation, changes=changes)


def validate_revision(
    frames: dict[str, pd.DataFrame],
    previous: dict[str, pd.DataFrame] | None,
    commit: str | None = None,
    page: PageSpec | None = None,
) -> dict[str, Any]:
    """The validation result (``success``, ``failed``, ``results`` ...), the same suites ``run`` applies;
    a drift-only failure is an authored restructure here (the page is its source, rendered)."""
    from ..validate import validate
    from ..validate.restructure import backfill_settle

    return backfill_settle(validate(frames, previous=previous, page=page).to_dict(), frames, previous, commit)
