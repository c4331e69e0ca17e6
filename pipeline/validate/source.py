"""The page's authored source: read the markdown it was built from, build it, compare (I/O at the edge).

Every Learn page names its source: ``git_commit_id`` and ``original_content_git_url``
(``https://github.com/OWNER/REPO/blob/BRANCH/PATH``). :func:`corroborate` reads PATH at that commit
from a local clone (``--source-repo PATH``: ``git cat-file``, offline) or else from GitHub over an
allow-list of its own (``SOURCE_HOSTS``, separate from the Learn hosts pages are fetched from;
``raw.githubusercontent.com``, then the contents API with ``GITHUB_TOKEN`` when set), renders it with
the backfill renderer, builds it and measures the agreement (:mod:`pipeline.validate.corroborate`). Anything
that keeps the source out of reach is an answer too: ``unreachable``, which fails closed.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import PipelineError
from .corroborate import agreement, agrees

if TYPE_CHECKING:
    import pandas as pd

    from ..steps import Revision

SOURCE_HOSTS = ("raw.githubusercontent.com", "api.github.com")
HOSTS_VARIABLE = "SUPPORTMATRIX_SOURCE_HOSTS"  # comma/space separated; empty: no GitHub, only --source-repo
_BLOB = re.compile(r"^https://github\.com/(?P<repo>[\w.-]+/[\w.-]+)/blob/[^/]+/(?P<path>.+\.md)$")
_COMMIT = re.compile(r"^[0-9a-f]{7,40}$")


def source_hosts(env: dict[str, str] | None = None) -> tuple[str, ...]:
    value = (env if env is not None else os.environ).get(HOSTS_VARIABLE)
    if value is None:
        return SOURCE_HOSTS
    return tuple(h for h in re.split(r"[,\s]+", value) if h)


@dataclass(frozen=True)
class SourceRef:
    commit: str
    path: str
    repo: str | None  # OWNER/REPO


def source_ref(revision: Revision) -> SourceRef | None:
    """Where the page says it was built from; None when it does not say (no commit or no path)."""
    meta = revision.document.meta
    commit = (meta.git_commit_id or "").strip().lower()
    match = _BLOB.match((meta.original_content_git_url or "").strip())
    if not _COMMIT.match(commit) or match is None:
        return None
    return SourceRef(commit, match["path"], match["repo"])


class Unreachable(Exception):
    """The source could not be read (no clone holds the commit, GitHub not allowed or not answering)."""


def read_markdown(ref: SourceRef, *, clone: Path | None, hosts: tuple[str, ...]) -> tuple[str, str]:
    """The markdown at the commit, and where it was read from."""
    if clone is not None:
        from ..backfill._git import _git

        try:
            blob = _git(clone, ["cat-file", "blob", f"{ref.commit}:{ref.path}"])
        except PipelineError as exc:
            raise Unreachable(f"{clone} has no {ref.path} at {ref.commit[:12]}: {exc.message}") from None
        return blob.decode("utf-8", "replace"), f"{clone}@{ref.commit[:12]}"
    if ref.repo is None or not hosts:
        raise Unreachable("no --source-repo and no GitHub host allowed")
    if "raw.githubusercontent.com" in hosts:
        from .. import fetch as fetching

        url = f"https://raw.githubusercontent.com/{ref.repo}/{ref.commit}/{ref.path}"
        policy = fetching.FetchPolicy(allowed_hosts=hosts, retries=1, read_timeout=20.0)
        try:
            return fetching.fetch(url, policy=policy).body.decode("utf-8", "replace"), url
        except PipelineError as exc:
            if "api.github.com" not in hosts:
                raise Unreachable(exc.message) from None
    from ..backfill._github_rest import GitHubAPI

    api = GitHubAPI(ref.repo, Path(".cache/github"))
    try:
        body = api.file_at(ref.commit, ref.path)
    except PipelineError as exc:
        raise Unreachable(exc.message) from None
    finally:
        api.close()
    if body is None:
        raise Unreachable(f"{ref.repo} has no {ref.path} at {ref.commit[:12]}")
    return body.decode("utf-8", "replace"), f"github:{ref.repo}@{ref.commit[:12]}"


def source_frames(markdown: str, ref: SourceRef, revision: Revision) -> dict[str, pd.DataFrame]:
    """The datasets of the source, rendered as Learn would serve it under the scraped page's URL."""
    from ..backfill.render import SourceInfo, render
    from ..fetch import Fetched
    from ..steps import build

    page = revision.page
    info = SourceInfo(ref.commit, _text(page.get("updated_at")), ref.path, ref.repo, _text(page.get("canonical_url")))
    body = render(markdown, info)
    fetched = Fetched(
        source=f"source:{ref.path}@{ref.commit}",
        body=body,
        final_url=None,
        fetched_at=str(page.get("fetched_at")),
        http_status=None,
        etag=None,
        last_modified=None,
        provenance="git",
    )
    return dict(build(body, fetched, revision.spec).frames)


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def corroborate(revision: Revision, *, clone: Path | None = None, hosts: tuple[str, ...] = ()) -> dict[str, Any]:
    """``{"status": "agrees" | "disagrees" | "unreachable", "agreement": {dataset: share}, "minimum",
    "commit", "path", "read_from", "reason"}`` for the scraped revision against its authored source."""
    ref = source_ref(revision)
    if ref is None:
        return {"status": "unreachable", "reason": "the page names no source commit and path"}
    found: dict[str, Any] = {"commit": ref.commit, "path": ref.path, "repo": ref.repo}
    try:
        markdown, where = read_markdown(ref, clone=clone, hosts=hosts)
        frames = source_frames(markdown, ref, revision)
    except Unreachable as exc:
        return {**found, "status": "unreachable", "reason": str(exc)}
    except PipelineError as exc:
        return {**found, "status": "disagrees", "reason": f"the source does not build: {exc.one_line()}"}
    figures = agreement(revision.frames, frames)
    ok = agrees(figures)
    return {
        **found,
        "status": "agrees" if ok else "disagrees",
        "read_from": where,
        "agreement": figures,
        "minimum": min(figures.values()),
        "reason": "the scrape matches the authored source" if ok else "the scrape differs from the authored source",
    }
