"""``supportmatrix extract PAGE [PAGE ...] --out DIR``: datasets for pages, no snapshot, no publish.

Everything is written inside ``--out``, whatever the pages are called (see ``pipeline._paths``).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from . import _page


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("extract", help="extract the datasets of one or more pages (files or URLs) into a folder")
    p.add_argument("pages", nargs="+", metavar="PAGE", help="HTML file or URL")
    p.add_argument("--out", type=Path, required=True, help="folder to write NAME.parquet and NAME.json into")
    _page.add(p, snapshots=False, output=False)
    p.add_argument("--fetched-at", help=argparse.SUPPRESS)
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    from .._clock import utc_now
    from .._io import write_dataset
    from .._paths import folder, folder_name, inside
    from ..errors import UsageError
    from ..fetch import fetch, is_url
    from ..steps import build

    out = folder(args.out, "--out")
    spec = _page.resolve(args)
    fetched_at = args.fetched_at or utc_now()
    stems = [folder_name(Path(p).stem if not is_url(p) else Path(p.rstrip("/")).name) for p in args.pages]
    if len(args.pages) > 1 and len(set(stems)) != len(stems):
        twice = sorted({s for s in stems if stems.count(s) > 1})
        raise UsageError(f"two pages share the folder name {twice[0]!r} in --out; their datasets would collide")
    targets = [out] if len(args.pages) == 1 else [inside(out, stem) for stem in stems]
    # extract every page before writing anything: a bad page leaves --out untouched
    revisions = []
    for page in args.pages:
        fetched = fetch(page, fetched_at=fetched_at)
        revisions.append(build(fetched.body, fetched, spec))
    for stem, target, revision in zip(stems, targets, revisions):
        for name, frame in sorted(revision.frames.items()):
            write_dataset(frame, target, name)
        print(f"{stem}: {len(revision.document.tables)} tables, {len(revision.frames['cells'])} cells -> {target}")
    return 0
