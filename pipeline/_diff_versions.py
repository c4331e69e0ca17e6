"""Which versions an OS line covers, and how two coverages compare (extended, narrowed, changed).

Versions compare numerically, component by component (3.9 < 3.12; 1.0 == 1).
A line with no version at all ("Google Container-Optimized OS") covers
"any version", which is neither wider nor narrower than a listed version.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ._diff_common import Row, as_list

_NUM = re.compile(r"\d+(?:\.\d+)*")
_INF = (10**9,)
_NEG_INF = (-1,)

Version = tuple[int, ...]


def parse(text: Any) -> Version | None:
    if text is None:
        return None
    m = _NUM.search(str(text))
    if not m:
        return None
    parts = [int(p) for p in m.group(0).split(".")]
    while len(parts) > 1 and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


@dataclass
class Coverage:
    intervals: set[tuple[Version, Version]] = field(default_factory=set)
    tokens: set[str] = field(default_factory=set)  # versions that are not numbers
    shown: list[tuple[Version, str]] = field(default_factory=list)

    def add_row(self, r: Row) -> None:
        versions = [str(v) for v in as_list(r.get("versions")) if v not in (None, "")]
        lo, hi, open_ended = r.get("version_min"), r.get("version_max"), r.get("open_ended")
        if not versions and not lo and not hi:
            self.tokens.add("any version")
            self.shown.append(((), "any version"))
            return
        if lo or hi:
            low, high = parse(lo or hi), parse(hi or lo)
            if not hi and open_ended == "up":
                high = _INF
            if not lo and open_ended == "down":
                low = _NEG_INF
            self._interval(low, high, _range_text(lo, hi, open_ended), str(lo or hi))
        for v in versions:
            p = parse(v)
            if open_ended == "up" and len(versions) == 1 and not (lo or hi):
                self._interval(p, _INF, f"{v} or later", v)
            elif open_ended == "down" and len(versions) == 1 and not (lo or hi):
                self._interval(_NEG_INF, p, f"{v} and earlier", v)
            else:
                self._interval(p, p, v, v)

    def _interval(self, low: Version | None, high: Version | None, text: str, raw: str) -> None:
        if low is None or high is None:
            self.tokens.add(raw.casefold())
            self.shown.append(((), text))
            return
        self.intervals.add((low, high))
        self.shown.append((low, text))

    def covers(self, other: Coverage) -> bool:
        if not other.tokens <= self.tokens:
            return False
        return all(any(a <= lo and hi <= b for a, b in self.intervals) for lo, hi in other.intervals)

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
