"""Fixtures shared by the test modules (instead of modules importing each other)."""

from __future__ import annotations

import pytest
from pytest_httpserver import HTTPServer

from pipeline import alerts
from pipeline.validate.source import HOSTS_VARIABLE
from tests.alerts_support import Hook


@pytest.fixture(autouse=True)
def _no_github_source(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reaches GitHub for a page's authored source (no network in tests): corroboration tests
    give a local clone with ``--source-repo``."""
    monkeypatch.setenv(HOSTS_VARIABLE, "")


@pytest.fixture
def hook(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> Hook:
    """A webhook on 127.0.0.1 as the only change-alert target (health and site URLs unset)."""
    hook = Hook(httpserver)
    monkeypatch.setenv(alerts.ALERT_URLS, hook.url())
    for name in (alerts.HEALTH_URLS, alerts.ALERT_CONFIG, alerts.SITE_URL):
        monkeypatch.delenv(name, raising=False)
    return hook


@pytest.fixture(scope="session")
def forked_runs(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Great Expectations and apprise imported in this process once, so runs in forked children are fast."""
    from tests.crash_support import warm_up

    warm_up(tmp_path_factory.mktemp("warm-up"))
