"""Derived frames for a page without the richer datasets (pure: frames in, one-row frames out).

A sibling page is checked on what every page has: its extracted tables and the long ``support`` dataset.
``matrix_drift`` compares the revision with the previous good one: the share of the previous support cells
(by section, tab, row label and column label) still there, and the sections or tabs that held tables and
vanished. A page broken in transit (a missing tab panel, half a page) trips it; so does an authored
restructure, which ``pipeline.validate.restructure`` then confirms against the page's markdown.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

Frames = dict[str, "pd.DataFrame"]
_CELL = ("section", "tab", "row_label", "column_label")


def _text(value: Any) -> str:
    return "" if value is None or (isinstance(value, float) and value != value) else str(value)


def _cells(frame: pd.DataFrame | None) -> set[tuple[str, ...]]:
    if frame is None or frame.empty:
        return set()
    columns = [frame[c].tolist() if c in frame.columns else [None] * len(frame) for c in _CELL]
    return {tuple(_text(v) for v in row) for row in zip(*columns)}


def _scopes(frame: pd.DataFrame | None) -> set[str]:
    """Every section, and every tab of a section, that holds a table."""
    if frame is None or frame.empty:
        return set()
    out: set[str] = set()
    for section, tab in zip(frame["section"].tolist(), frame["tab"].tolist()):
        out.add(f"section {_text(section)!r}")
        if _text(tab):
            out.add(f"tab {_text(tab)!r} of section {_text(section)!r}")
    return out


def matrix_drift(frames: Frames, previous: Frames) -> pd.DataFrame:
    import pandas as pd

    before, now = _cells(previous.get("support")), _cells(frames.get("support"))
    kept = len(before & now) / len(before) if before else 1.0
    gone = sorted(_scopes(previous.get("tables")) - _scopes(frames.get("tables")))
    row = {"support_kept_share": round(kept, 4), "vanished": "; ".join(gone) if gone else None}
    return pd.DataFrame([row], columns=["support_kept_share", "vanished"]).astype(object)
