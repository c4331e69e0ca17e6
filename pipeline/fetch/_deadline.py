"""A total time budget for one fetch (I/O: threads and the monotonic clock).

Per-read timeouts bound each wait for a byte, not the whole answer: a server trickling one byte a
second would hold a run for hours (its headers alone for 16 KB worth of seconds). ``Deadline.run``
does the work in a daemon worker thread and waits for it at most the budget; past it the caller gets
a one-line :class:`~pipeline.errors.FetchError` and the worker, told through ``expired``, stops at
its next ``check()`` (the body loop calls it after every chunk, and each request's timeouts are cut
to the time left, so even a read stalled at the deadline ends within one more budget).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar, cast

from ..errors import FetchError

if TYPE_CHECKING:
    import httpx

T = TypeVar("T")


class Deadline:
    """One fetch's time budget, shared by the waiting caller and the worker doing the attempts."""

    def __init__(self, seconds: float | None, what: str) -> None:
        self.seconds, self.what = seconds, what
        self.end = None if seconds is None else time.monotonic() + seconds
        self.expired = threading.Event()
        self.last = ""  # why the last attempt failed, for the message

    def left(self) -> float | None:
        return None if self.end is None else max(0.0, self.end - time.monotonic())

    def timeout(self, read: float, connect: float) -> httpx.Timeout:
        """These timeouts, none longer than the time left."""
        import httpx

        left = self.left()

        def cut(value: float) -> float:
            return value if left is None else max(0.001, min(value, left))

        return httpx.Timeout(cut(read), connect=cut(connect))

    def error(self) -> FetchError:
        last = f"; last attempt: {self.last}" if self.last else ""
        return FetchError(f"{self.what}: no complete answer within the {self.seconds:g} s fetch deadline{last}")

    def check(self) -> None:
        """Raise once the budget is spent (also tells an abandoned worker to stop)."""
        if self.expired.is_set() or self.left() == 0.0:
            raise self.error()

    def run(self, work: Callable[[], T]) -> T:
        """``work()``, or the deadline error once the budget is spent (the worker is left to stop)."""
        if self.end is None:
            return work()
        box: dict[str, Any] = {}

        def target() -> None:
            try:
                box["value"] = work()
            except BaseException as exc:  # handed to the caller's thread as is
                box["error"] = exc

        worker = threading.Thread(target=target, name="supportmatrix-fetch", daemon=True)
        worker.start()
        worker.join(self.left())
        if worker.is_alive():
            self.expired.set()
            raise self.error()
        if "error" in box:
            raise box["error"]
        return cast(T, box["value"])
