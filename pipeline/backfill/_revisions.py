"""Versions of a page's markdown, from any source, as one timeline (pure).

``stitch`` joins several repositories' histories of the file (the Defender for Cloud articles moved
between docs repositories; each page's spec in ``pipeline/pages/`` lists where its file lived) and drops
versions identical to the one before; ``window`` keeps the versions between two dates.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from ..errors import UsageError


@dataclass(frozen=True)
class Version:
    """One committed version of the article's markdown."""

    commit: str
    committed_at: str  # UTC, ISO-8601 with Z
    path: str  # the file's path in the repository at that commit
    repo: str | None  # OWNER/REPO on GitHub, when known
    origin: str  # where it was read from: a clone's path, or github:OWNER/REPO
    text: str
    subject: str = ""


def utc_iso(value: str) -> str:
    """Any ISO-8601 time with an offset -> UTC with Z, to the second."""
    stamp = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=UTC)
    return stamp.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def stitch(histories: Sequence[Sequence[Version]]) -> list[Version]:
    """One timeline from several repositories' histories of the same file.

    The file moved between repositories (see the page's ``sources``); a repository is authoritative from its first version
    until the next one takes over, so a stale copy left behind, or a copy that
    kept its history, does not interleave with the live one. Then consecutive
    identical texts collapse to the first (a move re-commits the same text).
    """
    live = sorted((h for h in histories if h), key=lambda h: (h[0].committed_at, h[-1].committed_at))
    merged: list[Version] = []
    for i, history in enumerate(live):
        handover = live[i + 1][0].committed_at if i + 1 < len(live) else None
        merged.extend(v for v in history if handover is None or v.committed_at < handover)
    merged.sort(key=lambda v: v.committed_at)
    distinct: list[Version] = []
    for version in merged:
        if not distinct or version.text != distinct[-1].text:
            distinct.append(version)
    return distinct


def window(versions: Sequence[Version], since: str | None, until: str | None) -> list[Version]:
    low, high = _bound(since, end=False), _bound(until, end=True)
    return [v for v in versions if (low is None or v.committed_at >= low) and (high is None or v.committed_at <= high)]


def _bound(value: str | None, *, end: bool) -> str | None:
    if not value:
        return None
    try:
        if len(value) == 10:
            day = datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC)
            return day.strftime("%Y-%m-%dT23:59:59Z" if end else "%Y-%m-%dT00:00:00Z")
        return utc_iso(value)
    except ValueError as exc:
        raise UsageError(f"not a date: {value!r} (use YYYY-MM-DD or an ISO-8601 time)") from exc


def daily(versions: Sequence[Version]) -> list[Version]:
    """The last version of each UTC day: what a daily scrape would have seen (``--granularity day``)."""
    last: dict[str, Version] = {}
    for version in versions:
        last[version.committed_at[:10]] = version  # oldest first, so the day's last one wins
    return sorted(last.values(), key=lambda v: v.committed_at)
