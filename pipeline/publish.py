"""Publish datasets to ``output/``: build aside, check, then swap in.

The new publication is written to a temporary folder next to ``output/``
and swapped in with renames, so a crash at any point leaves the previous
``output/latest`` complete.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from ._io import write_dataset
from .errors import PublishError

if TYPE_CHECKING:
    import pandas as pd


def publish_latest(frames: dict[str, pd.DataFrame], output: Path) -> Path:
    output.mkdir(parents=True, exist_ok=True)
    staging = output / f".publish-{os.getpid()}"
    if staging.exists():
        shutil.rmtree(staging)
    try:
        for name, frame in sorted(frames.items()):
            write_dataset(frame, staging / "latest", name, formats=("parquet", "json", "csv"))
        _swap(staging / "latest", output / "latest")
    except OSError as exc:
        raise PublishError(f"could not publish to {output}: {exc}") from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return output / "latest"


def _swap(new: Path, target: Path) -> None:
    old = target.with_name(f".{target.name}.old-{os.getpid()}")
    if target.exists():
        os.replace(target, old)
    try:
        os.replace(new, target)
    except OSError:
        if old.exists():
            os.replace(old, target)
        raise
    shutil.rmtree(old, ignore_errors=True)
