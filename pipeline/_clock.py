"""The only place the pipeline reads the wall clock (the edges pass ``fetched_at`` in)."""

from __future__ import annotations

from datetime import UTC, datetime


def utc_now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
