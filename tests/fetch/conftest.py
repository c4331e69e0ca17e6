"""Fixtures shared by the fetch tests."""

from __future__ import annotations

import pytest

from tests.fetch_support import FakeSleep


@pytest.fixture
def sleep() -> FakeSleep:
    return FakeSleep()
