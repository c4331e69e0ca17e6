"""Shared pieces of the diff: plain rows, text keys for matching, and the change record.

Pure: no I/O, no clock. Frames come in as DataFrames and leave this module as
lists of plain dicts (nulls as None, list cells as Python lists), so the
comparisons below never meet pandas' NA semantics.
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    import pandas as pd

Row = dict[str, Any]

HIGH, MEDIUM, LOW = "high", "medium", "low"

_WS = re.compile(r"\s+")
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"})
_EDGE_PUNCT = " .,;:*\"'"


def rows(frames: dict[str, pd.DataFrame], name: str, columns: Sequence[str]) -> list[Row] | None:
    """The dataset's rows as plain dicts with ``columns`` (missing columns read as None);
    None when the revision has no such dataset at all."""
    from ..schema import DATASETS

    wanted = list(dict.fromkeys([*(DATASETS[name].names if name in DATASETS else ()), *columns]))
    found = derived(frames, f"rows:{name}", lambda: _rows(frames.get(name), wanted))
    return found  # shared: callers must not change the rows


T = TypeVar("T")


def derived(frames: dict[str, pd.DataFrame], key: str, make: Callable[[], T]) -> T:
    """``make()``, computed once per revision when ``frames`` is a :class:`Side`."""
    if not isinstance(frames, Side):
        return make()
    if key not in frames.cache:
        frames.cache[key] = make()
    found: T = frames.cache[key]
    return found


class Side(dict[str, "pd.DataFrame"]):
    """One revision's frames plus what the diff derived from them, so a revision compared
    twice (with the one before it and the one after it) is converted once."""

    def __init__(self, frames: dict[str, pd.DataFrame]) -> None:
        super().__init__(frames)
        self.cache: dict[str, Any] = {}


def _rows(frame: pd.DataFrame | None, columns: Sequence[str]) -> list[Row] | None:
    if frame is None:
        return None
    n = len(frame)
    data = {c: [plain(v) for v in frame[c].tolist()] if c in frame.columns else [None] * n for c in columns}
    return [{c: data[c][i] for c in columns} for i in range(n)]


def plain(value: Any) -> Any:
    """A cell as plain Python: None for every flavour of null, lists for array cells."""
    if value is None or type(value) is str:
        return value
    if isinstance(value, str):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if hasattr(value, "tolist") and not isinstance(value, (int, float)):
        listed = value.tolist()
        if isinstance(listed, list):
            return [plain(v) for v in listed]
        value = listed
    try:
        if value != value:  # NaN
            return None
    except (TypeError, ValueError):
        pass
    if type(value).__name__ in ("NAType", "NaTType"):
        return None
    return value.item() if hasattr(value, "item") else value


def norm(text: Any) -> str:
    """Matching key for visible text: what a reader would call "the same words".

    Case, whitespace, typographic quotes/dashes and leading/trailing punctuation
    (bullet stars, a final full stop) are not support changes.
    """
    if text is None:
        return ""
    return _norm(text if type(text) is str else str(text))


@functools.lru_cache(maxsize=1 << 16)
def _norm(text: str) -> str:
    s = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    s = _WS.sub(" ", s).strip(_EDGE_PUNCT).strip()
    return s.casefold()


_WORD = re.compile(r"[^\W_]+")


def loose(text: Any) -> str:
    """A heading's words only: "Language specific packages (Preview) Only Supported for Linux
    images" and "... (Preview) (Only supported for Linux images)" are the same heading."""
    return " ".join(_WORD.findall(norm(text)))


def rescope(
    removed: list[Row],
    added: list[Row],
    before: list[Row],
    after: list[Row],
    key: Callable[[Row], Hashable],
    scoped: Callable[[Row], bool],
) -> tuple[list[tuple[Row, Row, int]], list[Row], list[Row]]:
    """Pair rows that lost or gained their environment: an unscoped row (it applies to every
    environment) matches each scoped row with the same ``key`` on the other side, and an unscoped
    row whose key is still present on the other side is neither removed nor added."""
    old_any = {key(r): r for r in before if not scoped(r)}
    new_any = {key(r): r for r in after if not scoped(r)}
    old_keys, new_keys = {key(r) for r in before}, {key(r) for r in after}
    pairs: list[tuple[Row, Row, int]] = []
    still_added, still_removed = [], []
    for r in added:
        o = old_any.get(key(r)) if scoped(r) else None
        if o is not None:
            pairs.append((o, r, 0))
        elif scoped(r) or key(r) not in old_keys:
            still_added.append(r)
    for r in removed:
        n = new_any.get(key(r)) if scoped(r) else None
        if n is not None:
            pairs.append((r, n, 0))
        elif scoped(r) or key(r) not in new_keys:
            still_removed.append(r)
    return pairs, still_removed, still_added


def norm_set(values: Iterable[Any]) -> frozenset[str]:
    return frozenset(n for n in (norm(v) for v in values) if n)


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


def show(value: Any) -> str:
    """A value as it reads in a sentence."""
    if value is None or value == "":
        return "unspecified"
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value) if value else "none"
    return str(value)


def text_value(value: Any) -> str | None:
    """A value as stored in the change record's ``old``/``new`` (lists as JSON text)."""
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        return json.dumps(list(value), ensure_ascii=False)
    return str(value)


@dataclass(frozen=True)
class Change:
    kind: str
    dataset: str
    summary: str
    severity: str
    environment: str | None = None
    feature: str | None = None
    resource: str | None = None
    platform: str | None = None
    subject: str | None = None
    field: str | None = None
    old: str | None = None
    new: str | None = None

    def content(self) -> list[str | None]:
        """What the change is, without when it was seen: the basis of its id."""
        return [
            self.kind,
            self.dataset,
            self.environment,
            self.feature,
            self.resource,
            self.platform,
            self.subject,
            self.field,
            self.old,
            self.new,
        ]


def match(
    old: Sequence[Row], new: Sequence[Row], keys: Sequence[Callable[[Row], Hashable]]
) -> tuple[list[tuple[Row, Row, int]], list[Row], list[Row]]:
    """Pair old rows with new rows, one to one, by successively looser keys.

    Returns ``(pairs, unmatched_old, unmatched_new)``; each pair carries the
    index of the key that matched it (0 = the strictest). Within a key, rows
    pair in their given order, so duplicates match as multisets.
    """
    left = list(old)
    right = list(new)
    pairs: list[tuple[Row, Row, int]] = []
    for level, key in enumerate(keys):
        if not left or not right:
            break
        waiting: dict[Hashable, list[int]] = defaultdict(list)
        for i, row in enumerate(right):
            waiting[key(row)].append(i)
        taken: set[int] = set()
        still: list[Row] = []
        for row in left:
            candidates = waiting.get(key(row))
            if candidates:
                j = candidates.pop(0)
                taken.add(j)
                pairs.append((row, right[j], level))
            else:
                still.append(row)
        left = still
        right = [r for j, r in enumerate(right) if j not in taken]
    return pairs, left, right


def footnote_edits(old: Iterable[str], new: Iterable[str]) -> list[tuple[str | None, str | None]]:
    """The footnote texts two versions of a row cite differently, as (old, new) pairs: one change
    when exactly one went and one came, else each removal and addition. Wording and case that
    ``norm`` ignores are no change; a broken link on either side means nothing can be compared."""
    from ..normalise.footnotes import is_unresolved  # here: the normaliser is not needed to read change records

    old, new = list(old), list(new)
    if any(is_unresolved(t) for t in (*old, *new)):
        return []
    a = {norm(t): t for t in old}
    b = {norm(t): t for t in new}
    gone = [a[k] for k in a if k not in b]
    came = [b[k] for k in b if k not in a]
    if len(gone) == 1 and len(came) == 1:
        return [(gone[0], came[0])]
    return [(t, None) for t in gone] + [(None, t) for t in came]


def footnote_sentence(where: str, old: str | None, new: str | None) -> str:
    if old is None:
        return f"{where} now cites the footnote {quote(new)}."
    if new is None:
        return f"{where} no longer cites the footnote {quote(old)}."
    return f"A footnote on {where} changed from {quote(old)} to {quote(new)}."


def quote(text: Any, limit: int = 90) -> str:
    s = _WS.sub(" ", str(text or "")).strip()
    if len(s) > limit:
        s = s[: limit - 1].rstrip() + "…"
    return f"“{s}”"
