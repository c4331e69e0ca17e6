"""Resolve footnote references (marker + href anchor) to their definitions' texts.

The same marker ("1") and even the same anchor ("footnote1") mean different
things in different tables and tab panels, so a reference resolves to the
definition with its anchor that is, in order of preference:

1. tied to the same table (``Footnote.table_index``, assigned by the extractor);
2. in the same tab panel and section;
3. in the same tab panel;
4. anywhere on the page (first in document order).

A reference without an anchor (bulleted lists outside tables keep markers
only) matches a definition with the same marker in the same panel and section.

A reference no definition matches is kept as ``"[unresolved footnote <marker>]"``
(never dropped) and counted.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from ..model import Footnote, Scope

UNRESOLVED = "[unresolved footnote {marker}]"
_UNRESOLVED_PREFIX = "[unresolved footnote "


def is_unresolved(text: str) -> bool:
    return text.startswith(_UNRESOLVED_PREFIX) and text.endswith("]")


def count_unresolved(lists: Iterable[Iterable[str]]) -> int:
    """Unresolved references in a footnotes column (an iterable of lists of texts)."""
    return sum(1 for texts in lists for text in texts if is_unresolved(text))


class FootnoteResolver:
    def __init__(self, footnotes: Iterable[Footnote]) -> None:
        self._by_anchor: dict[str, list[Footnote]] = defaultdict(list)
        self._by_marker: dict[str, list[Footnote]] = defaultdict(list)
        for footnote in footnotes:
            self._by_anchor[footnote.anchor].append(footnote)
            self._by_marker[footnote.marker].append(footnote)
        self._unresolved: set[tuple[int | None, str | None, str | None, str, str]] = set()

    @property
    def unresolved(self) -> int:
        """Distinct unresolved references met so far (a status line's marker counts once, not per bullet)."""
        return len(self._unresolved)

    def find(self, anchor: str, table_index: int | None, scope: Scope, marker: str = "") -> Footnote | None:
        if not anchor:
            # a reference without an href (list items keep markers only): same marker, same panel and section
            return next(
                (
                    f
                    for f in self._by_marker.get(marker, [])
                    if (f.scope.panel, f.scope.section) == (scope.panel, scope.section)
                ),
                None,
            )
        candidates = self._by_anchor.get(anchor, [])
        if not candidates:
            return None
        if table_index is not None:
            for footnote in candidates:
                if footnote.table_index == table_index:
                    return footnote
        for footnote in candidates:
            if footnote.scope.panel == scope.panel and footnote.scope.section == scope.section:
                return footnote
        for footnote in candidates:
            if footnote.scope.panel == scope.panel:
                return footnote
        return candidates[0]

    def texts(self, markers: Iterable[str], anchors: Iterable[str], table_index: int | None, scope: Scope) -> list[str]:
        """The texts of the references (marker, anchor), in order, one per distinct anchor."""
        out: list[str] = []
        seen: set[str] = set()
        for marker, anchor in zip(markers, anchors):
            ref = anchor or f"marker:{marker}"
            if ref in seen:
                continue
            seen.add(ref)
            footnote = self.find(anchor, table_index, scope, marker)
            if footnote is None:
                self._unresolved.add((table_index, scope.panel, scope.section, marker, anchor))
                out.append(UNRESOLVED.format(marker=marker))
            else:
                out.append(footnote.text)
        return out
