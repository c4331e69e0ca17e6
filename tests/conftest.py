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


_REPO = __import__("pathlib").Path(__file__).resolve().parents[1]


def _shipped_state() -> list[tuple[str, int, int]]:
    """(path, mtime, size) of every file of the repository's shipped snapshots/ and output/."""
    import os

    found = []
    for top in ("snapshots", "output"):
        for folder, _, files in os.walk(_REPO / top):
            for name in files:
                stat = os.stat(os.path.join(folder, name))
                found.append((os.path.join(folder, name), stat.st_mtime_ns, stat.st_size))
    return sorted(found)


@pytest.fixture(autouse=True)
def _shipped_data_untouched() -> object:
    """No test writes into the repository's own snapshots/ or output/ (a CLI default would): the test that
    did fails, by name, instead of the shipped data changing under everyone."""
    before = _shipped_state()
    yield
    after = _shipped_state()
    assert after == before, "this test wrote into the repository's snapshots/ or output/ (pass tmp roots)"
