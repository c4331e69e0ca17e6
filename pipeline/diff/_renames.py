"""Renamed features: a feature that vanished and one that appeared, in the same environment, that
are the same feature under a new name.

Authors rename features often ("Discovery of uncovered/unprotected clusters" ->
"Discovery of unprotected clusters"; "Docker CIS" -> "Compliance-Docker CIS" and
back). Reported as a removal and an addition, every rename would be a high-severity
false alarm, so a pair counts as a rename when

- the names share most of their words (Jaccard >= 0.5 over words, small words
  aside) and the two features say exactly the same thing about support (the same
  resource x platform x state rows), or
- the names are nearly the same text (a typo fix: similarity >= 0.85), whatever
  they say about support (a state that changed with the rename is still reported).

Pairs are taken best first, one to one; anything else stays a removal and an addition.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from ._common import Row, norm

_WORD = re.compile(r"[a-z0-9]+")
_SMALL = frozenset({"a", "an", "and", "by", "for", "in", "of", "on", "or", "the", "to", "via", "with"})
WORDS_SHARED = 0.5
NEARLY_SAME = 0.85


@dataclass(frozen=True)
class Rename:
    environment: str | None
    old_base: str
    new_base: str
    old_name: str
    new_name: str


def words(name: str) -> frozenset[str]:
    return frozenset(w for w in _WORD.findall(norm(name)) if w not in _SMALL)


def similarity(a: str, b: str) -> tuple[float, float]:
    """(word overlap, text similarity) of two feature names."""
    wa, wb = words(a), words(b)
    jaccard = len(wa & wb) / len(wa | wb) if wa | wb else 0.0
    ratio = difflib.SequenceMatcher(None, norm(a), norm(b), autojunk=False).ratio()
    return jaccard, ratio


def find(
    removed: list[Row],
    added: list[Row],
    before: list[Row],
    after: list[Row],
    base: Callable[[Row], str],
    signature: Callable[[Row], tuple[str, ...]],
) -> list[Rename]:
    """Renames among the features whose rows all vanished / all appeared."""
    old_bases = {base(r) for r in before}
    new_bases = {base(r) for r in after}
    gone = _features([r for r in removed if base(r) not in new_bases], base)
    came = _features([r for r in added if base(r) not in old_bases], base)
    scored = []
    for (env, ob), old_rows in gone.items():
        for (env2, nb), new_rows in came.items():
            if env != env2:
                continue
            old_name, new_name = str(old_rows[0]["feature"]), str(new_rows[0]["feature"])
            jaccard, ratio = similarity(old_name, new_name)
            same_support = Counter(map(signature, old_rows)) == Counter(map(signature, new_rows))
            if ratio >= NEARLY_SAME or (jaccard >= WORDS_SHARED and same_support):
                scored.append((-max(jaccard, ratio), not same_support, ob, nb, env, old_name, new_name))
    out: list[Rename] = []
    used_old: set[str] = set()
    used_new: set[str] = set()
    for _, _, ob, nb, env, old_name, new_name in sorted(scored):
        if ob in used_old or nb in used_new:
            continue
        used_old.add(ob)
        used_new.add(nb)
        environment = gone[(env, ob)][0]["environment"]
        out.append(Rename(environment, ob, nb, old_name, new_name))
    return out


def _features(items: list[Row], base: Callable[[Row], str]) -> dict[tuple[str, str], list[Row]]:
    grouped: dict[tuple[str, str], list[Row]] = defaultdict(list)
    for r in items:
        grouped[(norm(r["environment"]), base(r))].append(r)
    return grouped
