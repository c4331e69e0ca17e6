"""``supportmatrix catalogue``: rebuild the root of output/ (index.html, datapackage.json, changes.atom)
from what every page published in output/<page>/."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "catalogue", help="rebuild the root of output/: every page's latest change, one data package, one feed"
    )
    p.add_argument(
        "--output", type=Path, default=Path("output"), help="publication root, one folder per page (default: output/)"
    )
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    import sys

    from .._paths import folder
    from ..publish.catalogue import rebuild
    from .pages import specs

    pages = specs()
    result = rebuild(folder(args.output, "--output"), pages)
    for line in result.log:
        print(f"catalogue: {line}", file=sys.stderr)
    print(f"catalogue: {len(result.listed)} of {len(pages)} pages listed in {result.root}", file=sys.stderr)
    return 0
