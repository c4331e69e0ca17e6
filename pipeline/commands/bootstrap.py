"""``supportmatrix bootstrap``: on a store with no authored history, clone the docs repositories
(blobless) and backfill, so the first live run diffs against the last authored revision instead of
the snapshot shipped with the repo (reconstructed by hand from a partial capture)."""

from __future__ import annotations

import argparse
from pathlib import Path

from . import _page


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "bootstrap", help="backfill the page's history from its docs repositories when the store has none"
    )
    p.add_argument(
        "--git-url",
        dest="git_urls",
        action="append",
        metavar="URL",
        help="a docs repository to clone (repeatable; default: the three MicrosoftDocs repositories)",
    )
    _page.add(p, output=None)
    p.add_argument(
        "--clones", type=Path, default=Path(".cache/docs"), help="where the clones go (default: .cache/docs)"
    )
    p.add_argument("--jobs", type=int, default=2, help="worker processes for the backfill (default: 2)")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    spec = _page.resolve(args)
    import sys

    from ..store.snapshots import SnapshotStore

    store = SnapshotStore(args.snapshots)
    if store.baseline() is not None:
        print(f"bootstrap: {args.snapshots} already has an authored baseline; nothing to do", file=sys.stderr)
        return 0
    from ..backfill import BackfillOptions, backfill

    clones = [_clone(url, args.clones) for url in (args.git_urls or spec.repositories)]
    backfill(
        BackfillOptions(
            git_repos=tuple(clones),
            paths=spec.paths,
            page=spec,
            snapshots=args.snapshots,
            output=args.output,
            jobs=args.jobs,
            progress=False,
        )
    )
    return 0


def _clone(url: str, into: Path) -> Path:
    """A blobless clone (commits and trees; file versions fetched on demand), or the one already there."""
    import subprocess

    from ..errors import FetchError

    target = into / url.rstrip("/").rsplit("/", 1)[-1].removesuffix(".git")
    if (target / ".git").exists() or (target / "HEAD").exists():
        return target
    into.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["git", "clone", "-q", "--filter=blob:none", "--no-checkout", "--single-branch", url, str(target)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        reason = " ".join(done.stderr.split()) or f"git exited {done.returncode}"
        raise FetchError(f"cannot clone {url}: {reason}")
    return target
