"""``supportmatrix extract PAGE [PAGE ...] --out DIR``: datasets for pages, no snapshot, no publish."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("extract", help="extract the datasets of one or more pages (files or URLs) into a folder")
    p.add_argument("pages", nargs="+", metavar="PAGE", help="HTML file or URL")
    p.add_argument("--out", type=Path, required=True, help="folder to write NAME.parquet and NAME.json into")
    p.add_argument("--fetched-at", help=argparse.SUPPRESS)
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    from .._clock import utc_now
    from .._io import write_dataset
    from ..build import build
    from ..errors import UsageError
    from ..fetch import fetch, is_url

    fetched_at = args.fetched_at or utc_now()
    stems = [Path(p).stem if not is_url(p) else Path(p.rstrip("/")).name for p in args.pages]
    if len(args.pages) > 1 and len(set(stems)) != len(stems):
        raise UsageError("two pages share a file stem; their output folders would collide")
    # extract every page before writing anything: a bad page leaves --out untouched
    revisions = []
    for page in args.pages:
        fetched = fetch(page, fetched_at=fetched_at)
        revisions.append(build(fetched.body, fetched))
    for stem, revision in zip(stems, revisions):
        target = args.out if len(args.pages) == 1 else args.out / stem
        for name, frame in sorted(revision.frames.items()):
            write_dataset(frame, target, name)
        print(f"{stem}: {len(revision.document.tables)} tables, {len(revision.frames['cells'])} cells -> {target}")
    return 0
