"""Drift on (section, environment) pairs and tab panels (pure: frames in, names of what vanished out).

Sections and environments checked one by one miss a dropped tab panel: the GCP tab of one section
going away leaves the section (other tabs) and the environment (other sections) on the page, and
its rows would be published as removals. So every (section, environment) pair of ``feature_support``
and every (section, tab) panel of ``tables`` is checked too. As for sections
(:func:`pipeline.validate._derive.vanished`), a pair or panel whose name is gone but whose content is
still on the page (at least ``RENAMED_SECTION_KEPT_SHARE``) was renamed or moved, not dropped.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import thresholds

if TYPE_CHECKING:
    import pandas as pd

Frames = dict[str, "pd.DataFrame"]
_SUPPORT_KEY = ("environment", "feature_key", "resource", "platform")


def _column(frame: pd.DataFrame | None, name: str) -> list[Any]:
    if frame is None or name not in frame.columns:
        return [None] * (0 if frame is None else len(frame))
    return [None if v is None or v != v else v for v in frame[name].tolist()]  # v != v: NaN


def pair_contents(frames: Frames) -> dict[tuple[str, str], set[tuple[str, ...]]]:
    """The feature_support keys under each (section, environment) pair."""
    support = frames.get("feature_support")
    keys = zip(*(_column(support, c) for c in _SUPPORT_KEY))
    out: dict[tuple[str, str], set[tuple[str, ...]]] = {}
    for section, key in zip(_column(support, "section"), keys):
        environment = key[0]
        if environment is None:
            continue
        out.setdefault((str(section or ""), str(environment)), set()).add(tuple(str(k or "") for k in key))
    return out


def panel_contents(frames: Frames) -> dict[tuple[str, str], set[tuple[str, str]]]:
    """The (column, value) cells of the feature tables inside each (section, tab) panel; information
    panels (Aspect/Details) come and go with ordinary editing, reported item by item by the diff."""
    tables, cells = frames.get("tables"), frames.get("cells")
    panel = {
        index: (str(section or ""), str(tab))
        for index, section, tab, kind in zip(
            _column(tables, "table_index"), _column(tables, "section"), _column(tables, "tab"), _column(tables, "kind")
        )
        if tab is not None and kind == "feature"
    }
    out: dict[tuple[str, str], set[tuple[str, str]]] = {}
    for index, column, value in zip(_column(cells, "table_index"), _column(cells, "column"), _column(cells, "value")):
        where = panel.get(index)
        if where is not None:
            out.setdefault(where, set()).add((str(column or ""), str(value or "")))
    return out


def _cells(frames: Frames) -> set[tuple[str, str]]:
    cells = frames.get("cells")
    return {(str(c or ""), str(v or "")) for c, v in zip(_column(cells, "column"), _column(cells, "value"))}


def _gone(before: dict[Any, set[Any]], now: dict[Any, set[Any]], everything: set[Any]) -> list[Any]:
    out = []
    for name in sorted(set(before) - set(now)):
        content = before[name]
        kept = len(content & everything) / len(content) if content else 1.0
        if kept < thresholds.RENAMED_SECTION_KEPT_SHARE:
            out.append(name)
    return out


def vanished_pairs_and_panels(frames: Frames, previous: Frames) -> list[str]:
    """``pair 'Section' / 'GCP'`` and ``panel 'Section' / 'GCP (GKE)'`` for each one dropped."""
    now = pair_contents(frames)
    keys = set().union(*now.values()) if now else set()
    pairs = [f"pair {s!r} / {e!r}" for s, e in _gone(pair_contents(previous), now, keys)]
    panels = [
        f"panel {s!r} / {t!r}" for s, t in _gone(panel_contents(previous), panel_contents(frames), _cells(frames))
    ]
    return pairs + panels
