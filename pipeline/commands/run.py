"""``supportmatrix run``: the main job."""

from __future__ import annotations

import argparse
from pathlib import Path

from .. import fetch as fetching
from ..fetch import FetchPolicy
from . import _page


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("run", help="fetch, extract, validate, snapshot, diff, publish and alert")
    p.add_argument("--source", help="page URL or local HTML file (default: the page's Learn URL)")
    _page.add(p)
    p.add_argument(
        "--require-live", action="store_true", help="fail instead of rebuilding from a snapshot when offline"
    )
    p.add_argument("--force", action="store_true", help="publish even when validation fails (recorded, loudly)")
    p.add_argument(
        "--alert-config",
        type=Path,
        help="apprise config file with alert targets (default: $SUPPORTMATRIX_ALERT_CONFIG)",
    )
    p.add_argument(
        "--source-repo",
        type=Path,
        help="local clone of the docs repository: confirms a restructure against the page's markdown, offline",
    )
    p.add_argument(
        "--accept",
        metavar="ID",
        help="instead of fetching, accept the quarantined snapshot ID and publish it (as `pipeline accept ID`)",
    )
    p.add_argument(
        "--fetch-deadline",
        type=float,
        default=FetchPolicy().deadline,
        metavar="SECONDS",
        help="give up on the page after this long in all: connect, every read, retries and their waits "
        "(default: %(default)g; 0: no limit)",
    )
    p.add_argument(
        "--lock-timeout",
        type=float,
        help="seconds to wait while another run holds the store (default: $SUPPORTMATRIX_LOCK_TIMEOUT or 300)",
    )
    p.add_argument(
        "--all-pages",
        action="store_true",
        help="run every page in pipeline/pages/, one after the other; a failed page never stops the others "
        "(a summary line per page; exit 0 when all succeeded, else the first failed page's exit code)",
    )
    p.add_argument("--fetched-at", help=argparse.SUPPRESS)
    p.add_argument("--provenance", choices=("fetched", "file", "reconstructed", "git"), help=argparse.SUPPRESS)
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    from ..errors import UsageError

    if args.fetch_deadline < 0:
        raise UsageError("--fetch-deadline must be 0 (no limit) or more seconds")
    if args.all_pages:
        if args.page or args.source or args.accept:
            raise UsageError("--all-pages runs every page from its own URL: it takes no --page, --source or --accept")
        return all_pages(args)
    if _one(args):
        _page.catalogue(args.output_root)
    return 0


def all_pages(args: argparse.Namespace) -> int:
    """Every page in turn, each in its own folders; one line per page at the end, on stderr."""
    import copy
    import sys

    from ..errors import PipelineError
    from ..pages import all_pages as specs

    outcomes: list[tuple[str, int, str]] = []
    for spec in specs():
        page_args = copy.copy(args)
        try:
            _page.resolve(page_args, spec)
            _one(page_args)
            outcomes.append((spec.slug, 0, "ok"))
        except PipelineError as exc:  # one page's failure is its own; the others still run
            print(f"supportmatrix: {spec.slug}: {exc.one_line()}", file=sys.stderr)
            outcomes.append((spec.slug, exc.exit_code, exc.one_line()))
    if any(code == 0 for _, code, _ in outcomes):
        _page.catalogue(args.output)
    failed = [o for o in outcomes if o[1] != 0]
    for slug, code, line in outcomes:
        print(f"pages: {slug}: {'ok' if code == 0 else f'failed (exit {code}): {line}'}", file=sys.stderr)
    print(f"pages: {len(outcomes) - len(failed)} of {len(outcomes)} succeeded", file=sys.stderr)
    return failed[0][1] if failed else 0


def _one(args: argparse.Namespace) -> bool:
    """Run (or accept) one page; True when it published something."""
    from ..run import RunOptions, run

    spec = args.spec if getattr(args, "spec", None) is not None else _page.resolve(args)
    if args.accept:
        from ..accept import AcceptOptions, accept

        accept(AcceptOptions(args.accept, args.snapshots, args.output, args.alert_config))
        return True
    result = run(
        RunOptions(
            source=args.source or spec.url,
            page=spec,
            snapshots=args.snapshots,
            output=args.output,
            require_live=args.require_live,
            force=args.force,
            fetched_at=args.fetched_at,
            provenance=args.provenance,
            alert_config=args.alert_config,
            source_repo=args.source_repo,
            policy=fetching.FetchPolicy(deadline=args.fetch_deadline or None),
            lock_timeout=args.lock_timeout,
        )
    )
    return result.status == "published"
