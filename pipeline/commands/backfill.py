"""``supportmatrix backfill``: the change history since 2022, replayed from the article's git history."""

from __future__ import annotations

import argparse
from pathlib import Path

from . import _page


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "backfill",
        help="replay the page's markdown history (local clones or the GitHub API) into snapshots and changes",
        description=(
            "Render every committed version of the article's markdown into the page Learn serves, then run "
            "extract, normalise, validate, snapshot and diff on each, oldest first (provenance 'git')."
        ),
    )
    p.add_argument(
        "--git-repo",
        dest="git_repos",
        type=Path,
        action="append",
        default=[],
        metavar="PATH",
        help="a local clone of a docs repository (repeat for each repository the file lived in)",
    )
    p.add_argument(
        "--github",
        action="append",
        default=[],
        metavar="OWNER/REPO",
        help="a repository read through the GitHub REST API, repeatable (token from GITHUB_TOKEN; answers cached on disk)",
    )
    p.add_argument(
        "--path",
        dest="paths",
        action="append",
        metavar="FILE",
        help="the file in the repository, repeatable (default: the page's source paths, pipeline/pages/SLUG.toml)",
    )
    p.add_argument("--since", metavar="DATE", help="first commit date to replay (YYYY-MM-DD or ISO time)")
    p.add_argument("--until", metavar="DATE", help="last commit date to replay (inclusive)")
    p.add_argument(
        "--transient-hours",
        type=float,
        metavar="H",
        help="a change reverted within H hours is marked transient (default: $SUPPORTMATRIX_TRANSIENT_HOURS or 48)",
    )
    p.add_argument(
        "--granularity",
        choices=("commit", "day"),
        default="commit",
        help="replay every commit (default) or the last commit of each UTC day, as a daily scrape saw it",
    )
    _page.add(p, output=None)
    p.add_argument(
        "--jobs",
        type=int,
        default=1,
        metavar="N",
        help="render, build, validate and diff in N processes; snapshots stay in order (default 1)",
    )
    p.add_argument(
        "--cache-dir",
        type=Path,
        default=Path(".cache/github"),
        help="where --github keeps API responses (default: .cache/github/); delete it to list new commits",
    )
    p.add_argument("--no-progress", action="store_true", help="no progress bar (it only shows on a terminal anyway)")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    spec = _page.resolve(args)
    from ..backfill import BackfillOptions, backfill
    from ..errors import UsageError

    if args.jobs < 1:
        raise UsageError("--jobs must be at least 1")
    opts = BackfillOptions(
        git_repos=tuple(args.git_repos),
        github=tuple(args.github),
        paths=tuple(args.paths or spec.paths),
        page=spec,
        since=args.since,
        until=args.until,
        snapshots=args.snapshots,
        output=args.output,
        jobs=args.jobs,
        cache_dir=args.cache_dir,
        granularity=args.granularity,
        transient_hours=args.transient_hours,
        progress=False if args.no_progress else None,
    )
    result = backfill(opts)
    if result.published is not None and args.output_root is not None:
        _page.catalogue(args.output_root)
    return 0
