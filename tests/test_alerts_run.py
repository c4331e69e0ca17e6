"""Alerts through the whole job (``pipeline.run.run``): health on failure, recovery, and change alerts."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from pipeline import alerts
from pipeline import fetch as fetching
from pipeline.errors import HTTPStatusError
from pipeline.run import RunOptions, run

from .alerts_support import Hook

SAMPLE = Path(__file__).parent / "fixtures" / "learn_sample.html"


@pytest.fixture
def hook(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> Hook:
    hook = Hook(httpserver)
    monkeypatch.setenv(alerts.ALERT_URLS, hook.url())
    for name in (alerts.HEALTH_URLS, alerts.ALERT_CONFIG, alerts.SITE_URL):
        monkeypatch.delenv(name, raising=False)
    return hook


def _run(tmp_path: Path, source: str | Path, fetched_at: str = "2026-05-02T06:00:00Z") -> str:
    policy = fetching.FetchPolicy(
        allowed_hosts=("127.0.0.1", "localhost"), require_https=False, retries=1, backoff_base=0.01, backoff_max=0.02
    )
    opts = RunOptions(
        source=str(source),
        snapshots=tmp_path / "snapshots",
        output=tmp_path / "output",
        fetched_at=fetched_at,
        policy=policy,
    )
    return run(opts).status


def test_a_fetch_failure_is_announced_once_then_recovered_once(
    tmp_path: Path, httpserver: HTTPServer, hook: Hook
) -> None:
    _run(tmp_path, SAMPLE)
    assert hook.posts == []  # the baseline run: no change alert, nothing to recover from
    httpserver.expect_request("/page").respond_with_data("busy", status=503)
    url = httpserver.url_for("/page")
    for _ in range(2):
        with pytest.raises(HTTPStatusError):  # the error still reaches the CLI
            _run(tmp_path, url)
    assert [p["title"] for p in hook.posts] == ["Defender for Containers support matrix: pipeline health: fetch failed"]
    assert "503" in hook.posts[0]["message"]
    assert _run(tmp_path, SAMPLE, "2026-05-03T06:00:00Z") == "unchanged"
    assert [p["type"] for p in hook.posts] == ["failure", "success"]
    assert hook.posts[1]["title"].endswith("pipeline health: recovered")
    _run(tmp_path, SAMPLE, "2026-05-04T06:00:00Z")
    assert len(hook.posts) == 2


def test_a_failing_run_without_targets_sends_nothing_and_writes_no_state(
    tmp_path: Path, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(alerts.ALERT_URLS, raising=False)
    monkeypatch.delenv(alerts.ALERT_CONFIG, raising=False)
    httpserver.expect_request("/page").respond_with_data("busy", status=503)
    with pytest.raises(HTTPStatusError):
        _run(tmp_path, httpserver.url_for("/page"))
    assert not (tmp_path / "snapshots" / "alerts-state.json").exists()
