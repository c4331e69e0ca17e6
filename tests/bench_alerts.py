"""`make bench` figures for alerts: what they add to a run (never asserted in tests)."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pytest_httpserver import HTTPServer

from tests.alerts_support import Hook, append_history, change, frame


def _import_seconds(module: str) -> float:
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout.strip())


def bench_alerts() -> dict[str, float | str]:
    from pipeline import alerts
    from pipeline.alerts._message import change_message

    rows = [change("added", f"Feature {i} on AKS (Linux) was added as GA.", new="GA") for i in range(200)]
    changes = frame(rows)
    links = alerts.Links("https://learn.example/page", "https://site.example/changes.md")
    start = time.perf_counter()
    for _ in range(20):
        change_message(changes, page_url=links.page_url, changes_url=links.changes_url)
    compose_ms = (time.perf_counter() - start) / 20 * 1000

    server = HTTPServer(host="127.0.0.1", port=0)
    server.start()
    try:
        hook = Hook(server)
        with tempfile.TemporaryDirectory() as tmp:
            snapshots = Path(tmp)
            append_history(snapshots, changes)
            start = time.perf_counter()
            alerts.notify(changes, snapshots=snapshots, links=links, env={alerts.ALERT_URLS: hook.url()})
            deliver_s = time.perf_counter() - start  # includes loading apprise's plugins
            start = time.perf_counter()
            alerts.notify(changes, snapshots=snapshots, links=links, env={alerts.ALERT_URLS: hook.url()})
            dedupe_ms = (time.perf_counter() - start) * 1000
            start = time.perf_counter()
            alerts.notify(changes, snapshots=snapshots, links=links, env={})
            off_ms = (time.perf_counter() - start) * 1000
    finally:
        server.stop()
    return {
        "import pipeline.alerts (s, fresh process)": round(_import_seconds("pipeline.alerts"), 3),
        "import apprise (s, fresh process)": round(_import_seconds("apprise"), 3),
        "compose a 200-change message (ms)": round(compose_ms, 1),
        "first delivery to 127.0.0.1, apprise load included (s)": round(deliver_s, 3),
        "same revision again, dedupe only (ms)": round(dedupe_ms, 1),
        "alerts off, no target configured (ms)": round(off_ms, 2),
        "posts received": str(len(hook.posts)),
    }


if __name__ == "__main__":
    for key, value in bench_alerts().items():
        print(f"{key}: {value}")
