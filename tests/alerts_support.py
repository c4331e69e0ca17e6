"""Hand-made change records and a webhook recorder for the alert tests."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pandas as pd
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from pipeline._io import read_dataset, write_dataset
from pipeline.schema import CHANGES

OLD, NEW = "a" * 16, "b" * 16
CONTENT = ("kind", "dataset", "environment", "feature", "resource", "platform", "subject", "field", "old", "new")


def change(
    kind: str,
    summary: str,
    *,
    environment: str | None = "Azure",
    feature: str | None = None,
    resource: str | None = "AKS",
    platform: str | None = "Linux",
    old: str | None = None,
    new: str | None = None,
    old_revision: str = OLD,
    new_revision: str = NEW,
    old_ms_date: str = "2026-04-01",
    new_ms_date: str = "2026-05-01",
    detected_at: str = "2026-05-02T06:00:00Z",
    severity: str = "medium",
) -> dict[str, Any]:
    row: dict[str, Any] = {
        "kind": kind,
        "dataset": "feature_support",
        "environment": environment,
        "feature": feature or summary.split(" on ")[0],
        "resource": resource,
        "platform": platform,
        "subject": None,
        "field": "state",
        "old": old,
        "new": new,
        "summary": summary,
        "severity": severity,
        "old_revision": old_revision,
        "new_revision": new_revision,
        "old_ms_date": old_ms_date,
        "new_ms_date": new_ms_date,
        "old_git_commit_id": "1" * 40,
        "new_git_commit_id": "2" * 40,
        "detected_at": detected_at,
    }
    # like pipeline.diff: the id hashes the content only, so a flap back repeats an id
    content = json.dumps([row[k] for k in CONTENT], separators=(",", ":"))
    row["change_id"] = hashlib.sha256(content.encode()).hexdigest()[:16]
    return row


def frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=CHANGES.names, dtype=object)


def three_changes(**kw: Any) -> pd.DataFrame:
    return frame(
        [
            change("promoted", "Malware detection on AKS (Linux): Preview → GA.", old="Preview", new="GA", **kw),
            change(
                "promoted",
                "Runtime protection on EKS (Linux): Preview → GA.",
                environment="AWS",
                resource="EKS",
                old="Preview",
                new="GA",
                **kw,
            ),
            change(
                "removed",
                "Agentless discovery on GKE (Windows) is no longer listed.",
                environment="GCP",
                resource="GKE",
                platform="Windows",
                old="GA",
                severity="high",
                **kw,
            ),
        ]
    )


def append_history(snapshots: Path, changes: pd.DataFrame) -> None:
    """What the run does before alerting: the cumulative history at snapshots/changes.parquet."""
    path = snapshots / "changes.parquet"
    history = pd.concat([read_dataset(snapshots, "changes"), changes], ignore_index=True) if path.exists() else changes
    write_dataset(history, snapshots, "changes", formats=("parquet",))


class Hook:
    """A webhook on 127.0.0.1 that records every JSON post and answers with ``status``."""

    def __init__(self, server: HTTPServer, path: str = "/hook") -> None:
        self.server = server
        self.path = path
        self.status = 200
        self.posts: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        server.expect_request(path, method="POST").respond_with_handler(self._handle)

    def _handle(self, request: Request) -> Response:
        self.posts.append(json.loads(request.get_data(as_text=True)))
        self.headers.append(dict(request.headers))
        return Response("ok" if self.status < 400 else "boom", status=self.status)

    def url(self, scheme: str = "json", userinfo: str = "", query: str = "") -> str:
        at = f"{userinfo}@" if userinfo else ""
        return f"{scheme}://{at}127.0.0.1:{self.server.port}{self.path}{query}"


def only_target(server: HTTPServer, monkeypatch: Any) -> Hook:
    """A Hook set as the one alert target in the environment (change and health alerts)."""
    from pipeline import alerts

    hook = Hook(server)
    monkeypatch.setenv(alerts.ALERT_URLS, hook.url())
    for name in (alerts.HEALTH_URLS, alerts.ALERT_CONFIG, alerts.SITE_URL):
        monkeypatch.delenv(name, raising=False)
    return hook
