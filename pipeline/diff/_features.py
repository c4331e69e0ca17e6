"""Feature attributes (enablement, plans, clouds, description, extra columns) and the footnotes
each feature cites, compared per feature (split rows folded together, renamed features followed)."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from ._common import (
    HIGH,
    LOW,
    MEDIUM,
    Change,
    Row,
    as_list,
    derived,
    footnote_edits,
    footnote_sentence,
    norm,
    norm_set,
    plain,
    rows,
    show,
    text_value,
)
from ._support import base_key

if TYPE_CHECKING:
    import pandas as pd

FEATURE_COLUMNS = (
    "environment",
    "feature",
    "feature_key",
    "description",
    "enablement",
    "plans",
    "clouds",
    "footnotes",
    "extra",
)

_LIST_FIELDS = ("plans", "clouds")
_TEXT_FIELDS = ("enablement", "description")
_FIELD_SEVERITY = {"description": LOW, "enablement": MEDIUM}


def feature_changes(
    old: dict[str, pd.DataFrame], new: dict[str, pd.DataFrame], renamed: dict[str, str] | None = None
) -> list[Change]:
    """Attribute and footnote changes of every feature in both revisions (``renamed`` maps an old
    base key to the new one of a renamed feature)."""
    old_by, new_by = _features(old), _features(new)
    if old_by is None or new_by is None:
        return []
    old_by = {(renamed or {}).get(k, k): v for k, v in old_by.items()}
    out: list[Change] = []
    for key in sorted(old_by.keys() & new_by.keys()):
        o, n = old_by[key], new_by[key]
        out.extend(_attribute_changes(o, n))
        out.extend(_footnote_changes(o, n))
    return out


def _features(frames: dict[str, pd.DataFrame]) -> dict[str, Row] | None:
    def make() -> dict[str, Row] | None:
        found = rows(frames, "features", FEATURE_COLUMNS)
        return None if found is None else _by_feature(found)

    return derived(frames, "features", make)


def _by_feature(items: list[Row]) -> dict[str, Row]:
    """Rows of one feature name (split rows) folded into one: the union of what they say."""
    grouped: dict[str, list[Row]] = defaultdict(list)
    for r in items:
        grouped[base_key(r["feature_key"])].append(r)
    out: dict[str, Row] = {}
    for key, group in grouped.items():
        folded: Row = {"environment": group[0]["environment"], "feature": group[0]["feature"]}
        for col in _TEXT_FIELDS:
            folded[col] = _distinct(r[col] for r in group if r[col] not in (None, ""))
        for col in (*_LIST_FIELDS, "footnotes"):
            folded[col] = _distinct(v for r in group for v in as_list(r[col]))
        extras: dict[str, list[str]] = defaultdict(list)
        labels: dict[str, str] = {}
        for r in group:
            for header, (label, value) in _extra(r["extra"]).items():
                extras[header].append(value)
                labels.setdefault(header, label)
        folded["extra"] = {h: (labels[h], _distinct(v)) for h, v in extras.items()}
        out[key] = folded
    return out


def _distinct(values: Any) -> list[str]:
    """Distinct values in first-seen order, compared as a reader would (case and spacing aside)."""
    seen: dict[str, str] = {}
    for v in values:
        if v is None:
            continue
        seen.setdefault(norm(v), str(v))
    return [v for k, v in seen.items() if k]


# raw copies of mapped columns the normaliser keeps in extra (a bare "Release state", a plan
# qualifier): their change is already reported from the mapped column
_MAPPED = re.compile(r"release state$|^(plans?|pricing tiers?)$")


def _extra(value: Any) -> dict[str, tuple[str, str]]:
    """{normalised header: (header, value)} of the extra columns that are not mapped elsewhere."""
    value = plain(value)
    if not value:
        return {}
    try:
        data = json.loads(value) if isinstance(value, str) else value
    except ValueError:
        return {}
    if not isinstance(data, dict):
        return {}
    return {
        norm(k): (str(k), str(v))
        for k, v in data.items()
        if v not in (None, "") and norm(k) and not _MAPPED.search(norm(k))
    }


def _attribute_changes(o: Row, n: Row) -> list[Change]:
    out = []
    for col in (*_TEXT_FIELDS, *_LIST_FIELDS):
        a, b = o[col], n[col]
        if norm_set(a) == norm_set(b):
            continue
        lost = bool(norm_set(a) - norm_set(b))
        severity = _FIELD_SEVERITY.get(col, HIGH if lost and col in _LIST_FIELDS else MEDIUM)
        out.append(_attribute(n, col, a, b, severity))
    # extra columns (Sensor, Agentless/Agent-based, ...) only where the header is in both revisions:
    # a renamed header is not a change of support
    for header in sorted(o["extra"].keys() & n["extra"].keys()):
        (_, a), (label, b) = o["extra"][header], n["extra"][header]
        if norm_set(a) != norm_set(b):
            out.append(_attribute(n, label, a, b, LOW))
    return out


def _one(values: list[str], field: str) -> Any:
    return values if field in _LIST_FIELDS else (values[0] if len(values) == 1 else (values or None))


def _attribute(n: Row, field: str, a: list[str], b: list[str], severity: str) -> Change:
    old, new = _one(a, field), _one(b, field)
    if field == "description":
        text = f"The description of {n['feature']} on {n['environment']} changed."
    else:
        text = f"{n['feature']} on {n['environment']}: {field} changed from {show(old)} to {show(new)}."
    return Change(
        kind="attribute_changed",
        dataset="features",
        environment=n["environment"],
        feature=n["feature"],
        field=field,
        old=text_value(old),
        new=text_value(new),
        summary=text,
        severity=severity,
    )


def _footnote_changes(o: Row, n: Row) -> list[Change]:
    return [_footnote(n, old, new) for old, new in footnote_edits(o["footnotes"], n["footnotes"])]


def _footnote(n: Row, old: str | None, new: str | None) -> Change:
    text = footnote_sentence(f"{n['feature']} on {n['environment']}", old, new)
    return Change(
        kind="footnote_changed",
        dataset="features",
        environment=n["environment"],
        feature=n["feature"],
        field="footnote",
        old=old,
        new=new,
        summary=text,
        severity=LOW,
    )
