"""Fixtures every test gets: no test reaches GitHub for a page's authored source (no network in tests;
corroboration tests give a local clone with ``--source-repo``, or a 127.0.0.1 host of their own)."""

from __future__ import annotations

import pytest

from pipeline.source import HOSTS_VARIABLE


@pytest.fixture(autouse=True)
def _no_github_source(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(HOSTS_VARIABLE, "")
