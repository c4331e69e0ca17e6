"""One run at a time on a snapshot store: ``snapshots/.run.lock`` (I/O).

``run``, ``backfill``, ``accept`` and ``repair`` each hold this lock for their
whole length, so two of them can never diff against the same baseline or
interleave their writes to the store and ``output/``. A second run waits up to
``timeout`` seconds (``--lock-timeout`` / ``SUPPORTMATRIX_LOCK_TIMEOUT``), then
stops with :class:`~pipeline.errors.StoreBusy` (exit 9): busy is not a failure
of the pipeline, so it sends no health alert.

``flock`` is released by the kernel when the holder dies, so a killed run never
leaves the store locked. It is a different file from the store's short write
lock (``.lock``), which a run takes many times while holding this one.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Iterator
from pathlib import Path

from ..errors import StoreBusy, UsageError

RUN_LOCK = ".run.lock"
TIMEOUT_ENV = "SUPPORTMATRIX_LOCK_TIMEOUT"
DEFAULT_TIMEOUT = 300.0  # the scheduled job's own concurrency group makes waits rare; a person gets 5 minutes
_POLL = 0.05


def timeout_from_env(env: dict[str, str] | None = None) -> float:
    raw = (os.environ if env is None else env).get(TIMEOUT_ENV, "").strip()
    if not raw:
        return DEFAULT_TIMEOUT
    try:
        value = float(raw)
    except ValueError:
        raise UsageError(f"{TIMEOUT_ENV}={raw!r} is not a number of seconds") from None
    if value < 0:
        raise UsageError(f"{TIMEOUT_ENV} must not be negative")
    return value


@contextlib.contextmanager
def held(root: Path, timeout: float | None = None) -> Iterator[None]:
    """Hold the store's run lock for the block, waiting at most ``timeout`` seconds for it."""
    timeout = timeout_from_env() if timeout is None else timeout
    root = Path(root)
    try:
        root.mkdir(parents=True, exist_ok=True)
        fh = open(root / RUN_LOCK, "a+b")  # noqa: SIM115 (held across the yield)
    except OSError as exc:
        from ..errors import SnapshotError

        raise SnapshotError(f"cannot open the run lock in {root}: {exc.strerror or exc}") from exc
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise StoreBusy(
                        f"another run holds {root / RUN_LOCK}; waited {timeout:g} s (try again later)"
                    ) from None
                time.sleep(_POLL)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
    finally:
        fh.close()
