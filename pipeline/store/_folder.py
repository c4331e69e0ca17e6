"""A snapshot's folder, written whole and durable under a temporary name in the store (I/O).

The first half of a store, and the only one that costs much (gzip, Parquet,
fsyncs). A folder is named by its content, so any process may stage one
without the store's lock: ``backfill``'s workers stage the revisions they
build, and the main process only puts each in place and lists it, in order
(:meth:`pipeline.store.snapshots.SnapshotStore.place`). A staged folder that is
never placed (a killed run) is a ``.tmp-*`` folder the next writer sweeps.
"""

from __future__ import annotations

import gzip
import itertools
import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._io import json_bytes, write_dataset
from ..errors import SnapshotError
from ..publish._swap import fsync_tree

if TYPE_CHECKING:
    import pandas as pd

_SERIAL = itertools.count()  # one process may stage the same page twice (a page that went back)


def entry(meta: dict[str, Any], ident: str, validation: dict[str, Any] | None, status: str) -> dict[str, Any]:
    """What the index and ``meta.json`` say of a snapshot."""
    out = {**meta, "id": ident, "status": status}
    if validation is not None:
        out["validation"] = {"success": bool(validation.get("success")), "failed": list(validation.get("failed", []))}
    return out


def stage(
    root: Path,
    ident: str,
    *,
    page: bytes,
    meta: dict[str, Any],
    frames: dict[str, pd.DataFrame],
    validation: dict[str, Any] | None,
    status: str,
    durable: bool = True,
) -> tuple[Path, dict[str, Any]]:
    """The staged folder (fsynced, file by file and its folders) and its entry. ``durable=False`` leaves
    the flush to the caller, who must make the folder durable (``fsync_trees``) before it is placed."""
    listed = entry(meta, ident, validation, status)
    tmp = Path(root) / f".tmp-{ident}-{os.getpid()}-{next(_SERIAL)}"
    try:
        (tmp / "datasets").mkdir(parents=True)
        (tmp / "page.html.gz").write_bytes(gzip.compress(page, compresslevel=9, mtime=0))
        (tmp / "meta.json").write_bytes(json_bytes(listed))
        if validation is not None:
            (tmp / "validation.json").write_bytes(json_bytes(validation))
        for name, frame in sorted(frames.items()):
            write_dataset(frame, tmp / "datasets", name, formats=("parquet",))
        if durable:
            fsync_tree(tmp)  # on disk before it is put in place, and before the index names it
    except BaseException as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        if isinstance(exc, OSError):
            raise SnapshotError(f"cannot write snapshot {ident} in {root}: {exc.strerror or exc}") from exc
        raise
    return tmp, listed
