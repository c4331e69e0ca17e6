"""Does the scraped page say what its authors wrote? Agreement with the authored source, and what a
confirmed restructure changed (pure: frames in, figures and descriptions out).

A drift failure means "this page differs a lot from the last good one": a broken scrape (a partial
page, an A/B variant, another article) or an authored restructure. Learn pages name their own source
(``git_commit_id``, ``original_content_git_url``), and the backfill renderer turns that markdown into
the HTML Learn serves, so the two can be compared dataset by dataset: :func:`agreement` gives the
shared share of rows per dataset, :func:`agrees` applies ``MIN_SOURCE_AGREEMENT``, and
:func:`describe` names the sections and environments renamed, merged, split, dropped or added and the
share of feature_support rows kept, for the ``restructured`` history record (:func:`page_changes`).
Fetching the source is I/O and lives in :mod:`pipeline.validate.source`.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import TYPE_CHECKING, Any

from ..diff._common import Change
from .thresholds import MIN_SOURCE_AGREEMENT, RENAMED_SECTION_KEPT_SHARE

if TYPE_CHECKING:
    import pandas as pd

Frames = dict[str, "pd.DataFrame"]
# what agreement is measured on: the tidy datasets and notes; positions (table_index, row) are left
# out because they say where a row sits, not what it says
AGREEMENT_DATASETS = ("features", "feature_support", "support_items", "os_versions", "notes")
_POSITIONAL = frozenset({"table_index", "row", "position"})


def _plain(value: Any) -> Any:
    if value is None:
        return None
    if hasattr(value, "tolist"):
        value = value.tolist()
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if type(value).__name__ == "NAType":
        return None
    return value


def _rows(frame: pd.DataFrame | None) -> Counter[str]:
    if frame is None:
        return Counter()
    columns = sorted(c for c in frame.columns if c not in _POSITIONAL)
    out: Counter[str] = Counter()
    for values in zip(*(frame[c].tolist() for c in columns)) if columns else ():
        out[json.dumps([_plain(v) for v in values], ensure_ascii=False, default=str)] += 1
    return out


def agreement(scraped: Frames, source: Frames) -> dict[str, float]:
    """Per dataset: rows both sides have, over rows either side has (1.0 = identical, both empty too)."""
    figures = {}
    for name in AGREEMENT_DATASETS:
        a, b = _rows(scraped.get(name)), _rows(source.get(name))
        union = sum((a | b).values())
        figures[name] = round(sum((a & b).values()) / union, 4) if union else 1.0
    return figures


def agrees(figures: dict[str, float]) -> bool:
    return bool(figures) and min(figures.values()) >= MIN_SOURCE_AGREEMENT


# -- what a restructure changed -----------------------------------------------------------------------


# What a restructure is measured on, in order of preference: (dataset, its key columns without the
# section, what the summary calls its rows). A page without the richer datasets has its support matrix.
_MEASURED = (
    ("feature_support", ("environment", "feature_key", "resource", "platform"), "feature_support rows"),
    ("support", ("tab", "row_label", "column_label"), "support cells"),
)


def _measured(frames: Frames) -> tuple[str, tuple[str, ...], str]:
    for name, key, label in _MEASURED:
        if frames.get(name) is not None:
            return name, key, label
    return _MEASURED[0]


def _support_keys(frames: Frames, measured: tuple[str, tuple[str, ...], str]) -> dict[str, set[tuple[str, ...]]]:
    """The measured dataset's section-free keys, by section."""
    name, key_columns, _ = measured
    support = frames.get(name)
    out: dict[str, set[tuple[str, ...]]] = {}
    if support is None:
        return out
    cols = [support[c].tolist() for c in ("section", *key_columns)]
    for section, *key in zip(*cols):
        out.setdefault(str(_plain(section) or ""), set()).add(tuple(str(_plain(k) or "") for k in key))
    return out


def _environments(frames: Frames) -> set[str]:
    support = frames.get("feature_support")
    return {str(e) for e in support["environment"].tolist() if _plain(e)} if support is not None else set()


def describe(previous: Frames, frames: Frames) -> dict[str, Any]:
    """Sections renamed (old -> new), merged (several old -> one new), split (one old -> several new),
    dropped and added, environments dropped and added, and the share of feature_support rows kept (of
    support cells, on a page without feature_support).

    An old section goes where most of its keys went; keys are section-free, so a feature that moved to
    another section keeps its key."""
    measured = _measured(frames)
    before, now = _support_keys(previous, measured), _support_keys(frames, measured)
    where: dict[tuple[str, ...], str] = {k: s for s, keys in now.items() for k in keys}
    targets: dict[str, list[str]] = {}
    dropped = []
    for section, keys in sorted(before.items()):
        went = Counter(where[k] for k in keys if k in where)
        kept = sum(went.values()) / len(keys) if keys else 0.0
        if kept < RENAMED_SECTION_KEPT_SHARE:
            dropped.append(section)
            continue
        targets[section] = sorted(s for s, n in went.items() if n / len(keys) >= 1 - RENAMED_SECTION_KEPT_SHARE) or [
            went.most_common(1)[0][0]
        ]
    into: dict[str, list[str]] = {}
    for old, news in targets.items():
        for new in news:
            into.setdefault(new, []).append(old)
    renamed = {old: news[0] for old, news in targets.items() if len(news) == 1 and len(into[news[0]]) == 1}
    renamed = {old: new for old, new in renamed.items() if old != new}
    merged = {new: sorted(olds) for new, olds in into.items() if len(olds) > 1}
    split = {old: news for old, news in targets.items() if len(news) > 1}
    old_keys = set().union(*before.values()) if before else set()
    new_keys = set().union(*now.values()) if now else set()
    return {
        "sections_before": sorted(before),
        "sections_after": sorted(now),
        "renamed": renamed,
        "merged": merged,
        "split": split,
        "dropped": dropped,
        "added": sorted(set(now) - set(into) - set(before)),
        "environments_dropped": sorted(_environments(previous) - _environments(frames)),
        "environments_added": sorted(_environments(frames) - _environments(previous)),
        "kept_share": round(len(old_keys & new_keys) / len(old_keys), 4) if old_keys else 1.0,
        "kept_of": measured[2],
    }


def summary(structure: dict[str, Any], confirmed_by: str) -> str:
    """One sentence for the history and the feed."""
    parts = []
    if structure.get("renamed"):
        parts.append("renamed " + ", ".join(f"{a!r} to {b!r}" for a, b in structure["renamed"].items()))
    if structure.get("merged"):
        parts.append(
            "merged " + "; ".join(f"{' + '.join(map(repr, a))} into {b!r}" for b, a in structure["merged"].items())
        )
    if structure.get("split"):
        parts.append(
            "split " + "; ".join(f"{a!r} into {' + '.join(map(repr, b))}" for a, b in structure["split"].items())
        )
    for key, verb in (("dropped", "dropped"), ("added", "added")):
        if structure.get(key):
            parts.append(f"{verb} " + ", ".join(map(repr, structure[key])))
    for key, verb in (("environments_dropped", "dropped environment"), ("environments_added", "added environment")):
        if structure.get(key):
            parts.append(f"{verb} " + ", ".join(structure[key]))
    kept = structure.get("kept_share")
    what = "; ".join(parts) or "sections rearranged"
    of = structure.get("kept_of") or "feature_support rows"  # records written before kept_of measured those
    share = f"; {kept:.0%} of {of} kept" if isinstance(kept, (int, float)) else ""
    return f"The page was restructured ({confirmed_by}): {what}{share}."


def page_changes(meta: dict[str, Any]) -> list[Change]:
    """The ``page``-dataset history records a revision's meta asks for: ``restructured`` (a drift failure
    confirmed against the authored source) and ``accepted`` (a quarantined page a person accepted)."""
    out = []
    restructure = meta.get("restructure")
    if isinstance(restructure, dict):
        structure = restructure.get("structure") or {}
        out.append(
            Change(
                kind="restructured",
                dataset="page",
                summary=summary(structure, str(restructure.get("confirmed_by", "confirmed"))),
                severity="medium",
                subject="structure",
                field="sections",
                old=json.dumps(structure.get("sections_before", []), ensure_ascii=False),
                new=json.dumps(structure.get("sections_after", []), ensure_ascii=False),
            )
        )
    accepted = meta.get("accepted")
    if isinstance(accepted, dict):
        failed = ", ".join(map(str, accepted.get("failed", []))) or "validation"
        out.append(
            Change(
                kind="accepted",
                dataset="page",
                summary=f"Accepted by {accepted.get('by')} at {accepted.get('at')} although it failed {failed}.",
                severity="medium",
                subject="validation",
                field="status",
                old="quarantined",
                new="accepted",
            )
        )
    return out
