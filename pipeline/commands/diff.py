"""``supportmatrix diff OLD NEW --out DIR``: the typed changes between two revisions.

OLD and NEW can each be a page (an HTML file or URL), a folder of datasets
(``NAME.parquet``, as ``supportmatrix extract`` writes them), or a snapshot id
(or unique prefix) in ``--snapshots``. Pages and snapshots are rebuilt with the
current extractor and normaliser, so both sides are read by the same rules.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import _page

if TYPE_CHECKING:
    import pandas as pd


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "diff",
        help="typed support changes between two revisions (pages, dataset folders or snapshot ids)",
        description=__doc__.split("\n\n", 1)[1] if __doc__ else None,
    )
    p.add_argument("old", metavar="OLD", help="older revision: HTML file, URL, dataset folder or snapshot id")
    p.add_argument("new", metavar="NEW", help="newer revision: HTML file, URL, dataset folder or snapshot id")
    p.add_argument("--out", type=Path, required=True, help="folder to write changes.parquet and changes.json into")
    _page.add(p, output=False)
    p.add_argument("--markdown", action="store_true", help="print the summary as Markdown instead of plain text")
    p.add_argument("--fetched-at", help=argparse.SUPPRESS)
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    from .._io import write_dataset
    from .._paths import folder
    from ..diff import diff
    from ..diff.summary import summary_markdown, summary_text, title

    folder(args.out, "--out")
    _page.resolve(args)
    old_frames, old_meta = load(args.old, args)
    new_frames, new_meta = load(args.new, args)
    changes = diff(old_frames, new_frames, old_meta, new_meta)
    write_dataset(changes, args.out, "changes", formats=("parquet", "json"))
    if args.markdown:
        print(f"## {title(changes, args.spec.alert_title)}\n\n{summary_markdown(changes)}", end="")
    else:
        print(summary_text(changes), end="")
    return 0


def load(ref: str, args: argparse.Namespace) -> tuple[dict[str, pd.DataFrame], dict[str, Any]]:
    """A revision's frames and meta, from whatever ``ref`` names."""
    from ..errors import UsageError
    from ..fetch import is_url

    path = Path(ref)
    if is_url(ref) or path.is_file():
        return _from_page(ref, args)
    if path.is_dir():
        if (path / "meta.json").is_file() and (path / "page.html.gz").is_file():
            return _from_snapshot_folder(path)
        if any(path.glob("*.parquet")):
            return _from_folder(path)
        raise UsageError(f"{ref} is a folder without datasets (no NAME.parquet files)")
    if (args.snapshots / "index.json").is_file():
        from ..store.snapshots import SnapshotStore

        snapshot = SnapshotStore(args.snapshots).get(ref)
        return _rebuild(snapshot.page_bytes(), snapshot.meta)
    raise UsageError(f"{ref}: no such file or folder, and no snapshot store at {args.snapshots} to look it up in")


def _from_page(ref: str, args: argparse.Namespace) -> tuple[dict[str, pd.DataFrame], dict[str, Any]]:
    from .._clock import utc_now
    from ..fetch import fetch
    from ..steps import build

    fetched = fetch(ref, fetched_at=args.fetched_at or utc_now())
    return build(fetched.body, fetched, args.spec).frames, {}


def _from_snapshot_folder(path: Path) -> tuple[dict[str, pd.DataFrame], dict[str, Any]]:
    import gzip
    import json

    meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))
    return _rebuild(gzip.decompress((path / "page.html.gz").read_bytes()), meta)


def _rebuild(page: bytes, meta: dict[str, Any]) -> tuple[dict[str, pd.DataFrame], dict[str, Any]]:
    from ..fetch import Fetched
    from ..steps import build, page_of

    fetched = Fetched.from_meta(meta, page)
    return build(page, fetched, page_of(meta)).frames, meta


def _from_folder(path: Path) -> tuple[dict[str, pd.DataFrame], dict[str, Any]]:
    from .._io import read_dataset
    from ..errors import UsageError
    from ..schema import DATASETS, TIDY

    frames = {p.stem: read_dataset(path, p.stem) for p in sorted(path.glob("*.parquet")) if p.stem in DATASETS}
    if not any(name in frames for name in TIDY):
        raise UsageError(f"{path} has no tidy datasets ({', '.join(TIDY)}): extract it again with this version")
    return frames, {}
