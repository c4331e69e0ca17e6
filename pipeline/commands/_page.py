"""``--page SLUG`` and the folders of one page, shared by the sub-commands (I/O: looks at the filesystem).

``--snapshots`` and ``--output`` name roots; one page's store is ``ROOT/<slug>/`` and its publication
``OUTPUT/<slug>/``, so several pages share a repository without sharing state. :func:`resolve` turns the
parsed arguments into the page's own folders (``args.snapshots``/``args.output``) and keeps the roots as
``args.snapshots_root``/``args.output_root``; the spec is ``args.spec``. :func:`catalogue` rebuilds the
publication root after any command that published a page (run, accept, backfill --output).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..pages import PageSpec

SNAPSHOTS_HELP = "snapshot root; the page's store is ROOT/SLUG (default: snapshots/)"
OUTPUT_HELP = "publication root; the page is published to ROOT/SLUG (default: output/)"


def add(p: argparse.ArgumentParser, *, snapshots: bool = True, output: bool | None = True) -> None:
    """``--page``, and the roots the command reads or writes (``output=None``: optional, no default)."""
    from ..pages import DEFAULT

    p.add_argument("--page", metavar="SLUG", help=f"the page (default: {DEFAULT}; see `pages`)")
    if snapshots:
        p.add_argument("--snapshots", type=Path, default=Path("snapshots"), help=SNAPSHOTS_HELP)
    if output:
        p.add_argument("--output", type=Path, default=Path("output"), help=OUTPUT_HELP)
    elif output is None:
        p.add_argument("--output", type=Path, help="also publish the page to ROOT/SLUG")


def resolve(args: argparse.Namespace, spec: PageSpec | None = None) -> PageSpec:
    """The page's spec (``--page``, else ``spec``, else the default page), with ``args.snapshots`` and
    ``args.output`` narrowed to the page's folders."""
    from .._paths import folder
    from ..pages import get, or_default

    spec = get(args.page) if args.page else or_default(spec)
    args.spec = spec
    for name in ("snapshots", "output"):
        root = getattr(args, name, None)
        setattr(args, f"{name}_root", root)
        if root is None:
            continue
        folder(root, f"--{name}")
        if name == "snapshots":
            single_page_store(root)
        setattr(args, name, folder(root / spec.slug, f"--{name}"))
    return spec


def single_page_store(root: Path) -> None:
    """A store of the layout before pages (index.json at the root) is never read as a root of pages: its
    history would be invisible and a new store would start beside it, reporting everything as new."""
    from ..errors import UsageError
    from ..pages import DEFAULT

    if (root / "index.json").exists():
        raise UsageError(
            f"{root} holds a single-page snapshot store (index.json at its top, the layout before pages): "
            f"move its contents into {root}/{DEFAULT}/ (git mv) and run again"
        )


def catalogue(root: Path) -> None:
    """Rebuild the root of the publication (every page's latest change, one data package, one feed) after a
    page published (``run``, ``accept``, ``backfill --output``): cheap, but not for free, so an unchanged
    day does not pay it. Without it the root's data package would list the page's old files."""
    import sys

    from ..pages import all_pages as specs
    from ..publish.catalogue import rebuild

    for line in rebuild(root, specs()).log:
        print(f"catalogue: {line}", file=sys.stderr)
