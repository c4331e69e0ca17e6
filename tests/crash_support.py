"""Runs of the main job in forked children, killed on purpose: the fault-injection harness.

A child inherits the parent's imports (Great Expectations among them), so a run
costs a fraction of a second instead of a new interpreter's start. The child is
killed with SIGKILL, either by itself at a named step boundary
(``SUPPORTMATRIX_KILL_AT``, see ``pipeline._faults``) or by the parent after a
delay: no ``finally`` runs, as after a power cut.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pipeline import fetch as fetching
from pipeline._faults import KILL_AT
from pipeline.run import RunOptions, run
from tests.support import MALWARE_PREVIEW, SAMPLE, promoted, revised

__all__ = ["MALWARE_PREVIEW", "SAMPLE", "delivered", "history", "in_child", "options", "pending", "promoted", "revised"]


def options(root: Path, source: Path | str, fetched_at: str, **kw: Any) -> RunOptions:
    policy = fetching.FetchPolicy(
        allowed_hosts=("127.0.0.1", "localhost"), require_https=False, retries=1, backoff_base=0.01, backoff_max=0.02
    )
    return RunOptions(
        source=str(source),
        snapshots=root / "snapshots",
        output=root / "output",
        fetched_at=fetched_at,
        policy=policy,
        **kw,
    )


def _fresh_apprise_pool() -> None:
    """apprise delivers through a process-wide thread pool; a forked child inherits the pool but not its
    threads, and would wait on it forever: give the child an empty one."""
    import sys
    import threading

    module = sys.modules.get("apprise.apprise")
    if module is not None and hasattr(module, "_shared_executor"):
        module._shared_executor = None
        module._shared_executor_lock = threading.Lock()


os.register_at_fork(after_in_child=_fresh_apprise_pool)


def warm_up(root: Path) -> None:
    """One run in this process, so that forked children inherit Great Expectations and apprise
    already imported and set up (seconds each) and a child run costs what the run itself costs."""
    import apprise  # noqa: F401  (imported lazily by the alerts)

    run(options(root, SAMPLE, "2026-01-01T00:00:00Z"))


def in_child(
    opts: RunOptions | Callable[[], object],
    *,
    kill_at: str | None = None,
    kill_when: Callable[[], bool] | None = None,
    delay: float = 0.0,
    limit: float = 60.0,
) -> int:
    """Run the job in a forked child; its exit status (negative: the signal that killed it).

    ``opts``: a run's options, or any job (``accept``, ``backfill``) as a callable.
    ``kill_at``: the child kills itself at that fault point. ``kill_when``: the parent kills it
    ``delay`` seconds after the predicate first holds (``lambda: True``: ``delay`` after the start)."""
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        code = 0
        try:
            if kill_at:
                os.environ[KILL_AT] = kill_at
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 1)
            os.dup2(devnull, 2)
            opts() if callable(opts) else run(opts)
        except BaseException:
            code = 3
        os._exit(code)
    deadline = time.monotonic() + limit
    armed: float | None = None
    while kill_when is not None and time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return _code(status)
        if armed is None and kill_when():
            armed = time.monotonic() + delay
        if armed is not None and time.monotonic() >= armed:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            break
        time.sleep(0.001)
    _, status = os.waitpid(pid, 0)
    return _code(status)


def _code(status: int) -> int:
    return -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)


def history(root: Path) -> list[dict[str, Any]]:
    path = root / "snapshots" / "changes.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else []


def delivered(root: Path) -> dict[str, list[str]]:
    """What the alert state says was announced: change id -> occurrences."""
    path = root / "snapshots" / "alerts-state.json"
    if not path.exists():
        return {}
    state = json.loads(path.read_text(encoding="utf-8"))
    return {cid: sorted(e["revisions"]) for cid, e in state["delivered"].items()}


def pending(root: Path) -> dict[str, Any]:
    path = root / "snapshots" / "alerts-state.json"
    return json.loads(path.read_text(encoding="utf-8"))["pending"] if path.exists() else {}
