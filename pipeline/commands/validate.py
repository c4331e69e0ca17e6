"""``supportmatrix validate DIR``: run the expectation suites over an extracted dataset folder (exit 0 / 1)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "validate",
        help="validate a dataset folder (NAME.parquet, as written by `extract`) against expectations/",
        description="Exit 0 when every expectation passes, 1 when any fails; a short summary goes to stdout.",
    )
    p.add_argument("folder", type=Path, metavar="DIR", help="folder holding NAME.parquet for each dataset")
    p.add_argument(
        "--previous", type=Path, metavar="DIR", help="the previous good dataset folder: run the drift guards"
    )
    p.add_argument("--json", type=Path, metavar="FILE", help="also write the full validation result as JSON")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    from .._io import atomic_write_bytes, json_bytes
    from ..errors import UsageError
    from ..validate import validate

    if args.json is not None and args.json.is_dir():
        raise UsageError(f"--json {args.json} is a folder, not a file")
    frames = read_folder(args.folder)
    previous = read_folder(args.previous) if args.previous else None
    report = validate(frames, previous=previous)
    print("\n".join(report.summary_lines()))
    if args.json:
        atomic_write_bytes(args.json, json_bytes(report.to_dict()))
    return 0 if report.success else 1


def read_folder(folder: Path) -> dict[str, pd.DataFrame]:
    """Every published dataset found in ``folder`` (a missing one fails the ``schema`` suite)."""
    from .._io import read_dataset
    from ..errors import UsageError
    from ..schema import PUBLISHED

    if not folder.is_dir():
        raise UsageError(f"{folder} is not a folder")
    names = [n for n in PUBLISHED if (folder / f"{n}.parquet").is_file()]
    if not names:
        raise UsageError(f"{folder} holds no dataset files (expected NAME.parquet, e.g. features.parquet)")
    try:
        return {n: read_dataset(folder, n) for n in names}
    except (OSError, ValueError) as exc:
        raise UsageError(f"cannot read the datasets in {folder}: {exc}") from exc
