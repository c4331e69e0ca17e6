"""Which versions an OS line covers, and how two coverages compare (extended, narrowed, changed).

Versions compare numerically at the precision of the bound they meet (3.9 < 3.12;
3.21.4 is within "3.12-3.21"; 1 == 1.0), parsed by the normaliser's ``version_key``.
A line with no version at all ("Google Container-Optimized OS") covers
"any version", which is neither wider nor narrower than a listed version.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..normalise.os_versions import version_key
from ._common import Row, as_list

Version = tuple[int, ...]
Bound = Version | None  # None: unbounded


def _at(version: Version, precision: int) -> Version:
    """``version`` at a bound's precision: 3.21.4 against "3.21" is 3.21; 1 against "1.0" is 1.0."""
    return (version + (0,) * precision)[:precision]


def _ge(v: Version, bound: Version) -> bool:
    return _at(v, len(bound)) >= bound


def _le(v: Version, bound: Version) -> bool:
    return _at(v, len(bound)) <= bound


@dataclass
class Coverage:
    intervals: set[tuple[Bound, Bound]] = field(default_factory=set)
    tokens: set[str] = field(default_factory=set)  # versions that are not numbers, and "any version"
    shown: list[tuple[Version, str]] = field(default_factory=list)

    def add_row(self, r: Row) -> None:
        name = str(r.get("name") or "")
        versions = [str(v) for v in as_list(r.get("versions")) if v not in (None, "")]
        lo, hi, open_ended = r.get("version_min"), r.get("version_max"), r.get("open_ended")
        if not versions and not lo and not hi:
            self.tokens.add("any version")
            self.shown.append(((), "any version"))
            return
        if lo or hi:
            low, high = version_key(lo or hi, name), version_key(hi or lo, name)
            if low is None or high is None:
                self._token(f"{lo or ''}-{hi or ''}")
            else:
                self._interval(
                    None if not lo and open_ended == "down" else low,
                    None if not hi and open_ended == "up" else high,
                    _range_text(lo, hi, open_ended),
                )
        single_open = open_ended if len(versions) == 1 and not (lo or hi) else None
        for v in versions:
            k = version_key(v, name)
            if k is None:
                self._token(v)
            elif single_open == "up":
                self._interval(k, None, f"{v} or later")
            elif single_open == "down":
                self._interval(None, k, f"{v} and earlier")
            else:
                self._interval(k, k, v)

    def _token(self, text: str) -> None:
        self.tokens.add(text.casefold())
        self.shown.append(((), text))

    def _interval(self, low: Bound, high: Bound, text: str) -> None:
        self.intervals.add((low, high))
        self.shown.append((low or high or (), text))

    def covers(self, other: Coverage) -> bool:
        return other.tokens <= self.tokens and all(self._contains(lo, hi) for lo, hi in other.intervals)

    def _contains(self, lo: Bound, hi: Bound) -> bool:
        for a, b in self.intervals:
            low_ok = a is None or (lo is not None and _ge(lo, a))
            high_ok = b is None or (hi is not None and _le(hi, b))
            if low_ok and high_ok:
                return True
        return False

    def text(self) -> str:
        seen: dict[str, None] = {}
        for _, t in sorted(self.shown, key=lambda s: (s[0], s[1])):
            seen.setdefault(t, None)
        return ", ".join(seen)


def _range_text(lo: Any, hi: Any, open_ended: Any) -> str:
    if lo and hi:
        return f"{lo}-{hi}"
    if lo:
        return f"{lo} or later" if open_ended == "up" else str(lo)
    return f"{hi} and earlier" if open_ended == "down" else str(hi)


def coverage(items: list[Row]) -> Coverage:
    cov = Coverage()
    for r in items:
        cov.add_row(r)
    return cov


def compare(old: Coverage, new: Coverage) -> str | None:
    """None when both cover the same versions, else extended / narrowed / changed."""
    wider, narrower = new.covers(old), old.covers(new)
    if wider and narrower:
        return None
    if wider:
        return "extended"
    if narrower:
        return "narrowed"
    return "changed"
