"""What ``run`` does with failures nobody raised on purpose (I/O: reads the store's index and
resolves paths).

``run`` must end every failure the same way: one line, the exit code the README documents, and a
pipeline-health alert. Two things here make that hold:

- :func:`check_state` reads the store's index before the run changes anything, so one of the wrong
  shape stops the run with a :class:`~pipeline.errors.SnapshotError` (exit 6) while ``snapshots/`` and
  ``output/`` are as they were, instead of failing halfway. (A damaged ``alerts-state.json`` or change
  history is not an error of ``run``: ``pipeline.store.recovery`` rebuilds it from the snapshots first.)
- :func:`as_pipeline_error` turns any other exception into the error of its stage where that is
  certain (an ``OSError`` on a file inside ``snapshots/`` is the store's, e.g. a read-only store, exit
  6; inside ``output/`` the publication's, exit 7), else an :class:`~pipeline.errors.InternalError`
  (exit 1) that keeps the original as its cause for ``--debug``.
"""

from __future__ import annotations

import os
from pathlib import Path

from .errors import InternalError, PipelineError, PublishError, SnapshotError
from .store.snapshots import SnapshotStore


def check_state(snapshots: Path) -> None:
    """Raise SnapshotError when the store's index cannot be read or has the wrong shape."""
    SnapshotStore(snapshots).entries()


def as_pipeline_error(exc: BaseException, *, snapshots: Path, output: Path) -> PipelineError:
    """``exc`` as the error of the stage it certainly belongs to, else an InternalError."""
    if isinstance(exc, OSError):
        where = _inside(exc, {"snapshots": snapshots, "output": output})
        reason = exc.strerror or " ".join(str(exc).split()) or type(exc).__name__
        error: PipelineError | None = None
        if where == "snapshots":
            error = SnapshotError(f"cannot use the snapshot store: {exc.filename}: {reason}")
        elif where == "output":
            error = PublishError(f"cannot write the publication: {exc.filename}: {reason}")
        if error is not None:
            error.__cause__ = exc
            return error
    return InternalError.wrap(exc)


def _inside(exc: OSError, roots: dict[str, Path]) -> str | None:
    """The name of the deepest root holding a file the error names (an OSError names up to two)."""
    best: tuple[int, str] | None = None
    for name in (exc.filename, exc.filename2):
        if not isinstance(name, (str, bytes, os.PathLike)):
            continue  # a file descriptor, or no file at all
        where = Path(os.fsdecode(name)).resolve()
        for label, root in roots.items():
            top = Path(root).resolve()
            if where.is_relative_to(top) and (best is None or len(top.parts) > best[0]):
                best = (len(top.parts), label)
    return best[1] if best else None
