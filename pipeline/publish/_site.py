"""index.html: the current matrix, its footnotes and notes, the change timeline and the downloads.

Rendered with Jinja2 with autoescaping on, so any text that came from the page
(feature names, notes, footnotes, summaries) is escaped; links are only made
from http(s) URLs.  One static file: CSS inline, no script, no CDN.
"""

from __future__ import annotations

import json
import re
from collections import OrderedDict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._io import conform, records
from ..schema import DATASETS
from ._feed import anchor, runs

if TYPE_CHECKING:
    import pandas as pd

TEMPLATES = Path(__file__).parent / "templates"
TIMELINE_RUNS = 50  # the page shows the newest runs; changes.md and changes.json hold them all

_STATE_CLASS = {"GA": "ga", "Preview": "preview", "Not available": "na", "Unknown": "unknown"}
_STATE_CLASS.update({"Supported": "ga", "Not supported": "na", "Not applicable": "na", "Value": "empty"})
_KIND_CLASS = {"promoted": "good", "added": "good", "extended": "good", "removed": "bad", "demoted": "bad"}
_KIND_CLASS.update(narrowed="bad")


def state_class(state: object) -> str:
    return _STATE_CLASS.get(str(state), "other") if state else "empty"


def status_class(status: object) -> str:
    text = str(status or "").casefold()
    if text.startswith(("unsupported", "not supported")):
        return "unsupported"
    return "supported" if text.startswith("supported") else "other"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "section"


def _rows(frames: dict[str, pd.DataFrame], name: str) -> list[dict[str, Any]]:
    frame = frames.get(name)
    if frame is None:
        return []
    dataset = DATASETS[name]
    return records(conform(frame, dataset), dataset)


class _Footnotes:
    """Numbers footnote texts in order of first citation, per block they are listed under."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    def mark(self, texts: list[str] | None) -> list[int]:
        out = []
        for text in texts or []:
            if text not in self.texts:
                self.texts.append(text)
            out.append(self.texts.index(text) + 1)
        return out

    def listed(self) -> list[tuple[int, str]]:
        return list(enumerate(self.texts, 1))


def _section(sections: OrderedDict[str, dict[str, Any]], title: str | None) -> dict[str, Any]:
    key = title or ""
    if key not in sections:
        sections[key] = {"title": title or "General", "id": _slug(title or "general"), "notes": []}
        sections[key].update(tables=[], matrices=[], support=[], support_footnotes=[])
    return sections[key]


def _feature_table(rows: list[dict[str, Any]]) -> dict[str, Any]:
    notes = _Footnotes()
    extra_cols: list[str] = []
    out = []
    for row in rows:
        extra = json.loads(row["extra"]) if row.get("extra") else {}
        extra = extra if isinstance(extra, dict) else {}
        for col in extra:
            if col not in extra_cols:
                extra_cols.append(col)
        out.append(
            {
                **row,
                "marks": notes.mark(row["footnotes"]),
                "extra": {k: "" if v is None else str(v) for k, v in extra.items()},
                "linux_class": state_class(row["linux_state"]),
                "windows_class": state_class(row["windows_state"]),
            }
        )
    first = rows[0]
    return {
        "environment": first["environment"],
        "label": first["environment_label"],
        "id": _slug(f"{first['section'] or ''}-{first['environment']}-{first['table_index']}"),
        "windows": any(r["windows_state"] or r["windows_note"] for r in rows),
        "domain": any(r["domain"] for r in rows),
        "extra_cols": extra_cols,
        "rows": out,
        "footnotes": notes.listed(),
    }


def _support_blocks(items: list[dict[str, Any]], notes: _Footnotes) -> list[dict[str, Any]]:
    blocks: OrderedDict[tuple[Any, ...], dict[str, Any]] = OrderedDict()
    for item in items:
        key = (item["environment"], item["subheading"], item["table_index"])
        block = blocks.setdefault(key, {"environment": item["environment"], "subheading": item["subheading"]})
        aspects = block.setdefault("aspects", OrderedDict())
        statuses = aspects.setdefault(item["aspect"], OrderedDict())
        statuses.setdefault(item["status"], []).append({"text": item["item"], "marks": notes.mark(item["footnotes"])})
    return [{**b, "aspects": [(a, list(s.items())) for a, s in b["aspects"].items()]} for b in blocks.values()]


def _sections(frames: dict[str, pd.DataFrame]) -> list[dict[str, Any]]:
    sections: OrderedDict[str, dict[str, Any]] = OrderedDict()
    # page order: the sections of the article's tables, then anything only notes or lists mention
    for table in sorted(_rows(frames, "tables"), key=lambda t: t["table_index"]):
        _section(sections, table["section"])
    features = sorted(_rows(frames, "features"), key=lambda r: (r["table_index"], r["row"]))
    by_table: OrderedDict[int, list[dict[str, Any]]] = OrderedDict()
    for row in features:
        by_table.setdefault(row["table_index"], []).append(row)
    for rows in by_table.values():
        _section(sections, rows[0]["section"])["tables"].append(_feature_table(rows))
    # tables in page order; lists outside tables after them (rows are stored sorted by key, not page order)
    items = sorted(_rows(frames, "support_items"), key=lambda i: (i["table_index"] is None, i["table_index"] or 0))
    for title in OrderedDict.fromkeys(i["section"] for i in items):
        notes = _Footnotes()
        section = _section(sections, title)
        section["support"] = _support_blocks([i for i in items if i["section"] == title], notes)
        section["support_footnotes"] = notes.listed()
    if "features" not in frames:  # a page without the richer datasets: its tables, from the long support matrix
        for matrix in _matrices(frames):
            _section(sections, matrix["section"])["matrices"].append(matrix)
    for note in _rows(frames, "notes"):
        if note["section"] is not None:
            _section(sections, note["section"])["notes"].append(note)
    return [s for s in sections.values() if s["tables"] or s["matrices"] or s["support"] or s["notes"]]


def _matrices(frames: dict[str, pd.DataFrame]) -> list[dict[str, Any]]:
    """Each table of the page as its support cells say it: row labels down, column labels across."""
    headers = {t["table_index"]: t["headers"] or [] for t in _rows(frames, "tables")}
    by_table: OrderedDict[int, list[dict[str, Any]]] = OrderedDict()
    for cell in sorted(_rows(frames, "support"), key=lambda c: (c["table"], c["row"], c["column"])):
        by_table.setdefault(cell["table"], []).append(cell)
    out = []
    for index, cells in by_table.items():
        notes = _Footnotes()
        columns: OrderedDict[int, str] = OrderedDict()
        rows: OrderedDict[int, dict[str, Any]] = OrderedDict()
        for cell in cells:
            columns.setdefault(cell["column"], cell["column_label"])
            row = rows.setdefault(cell["row"], {"label": cell["row_label"], "cells": {}})
            row["cells"][cell["column"]] = {
                "raw": cell["raw"] or "",
                "state": cell["state"],
                "cls": state_class(cell["state"]),
                "marks": notes.mark(cell["footnotes"]),
            }
        first = cells[0]
        label_header = next((h for i, h in enumerate(headers.get(index, [])) if i not in columns), "")
        out.append(
            {
                "section": first["section"],
                "label": first["tab"] or first["subheading"],
                "id": _slug(f"{first['section'] or ''}-{first['tab'] or ''}-table-{index}"),
                "label_header": label_header,
                "columns": list(columns.items()),
                "rows": [{"label": r["label"], "cells": [r["cells"].get(c) for c in columns]} for r in rows.values()],
                "footnotes": notes.listed(),
            }
        )
    return out


def _overview(frames: dict[str, pd.DataFrame]) -> dict[str, Any]:
    """Counts of feature x resource x platform rows per environment and state; for a page without the
    richer datasets, of its support cells per section and state."""
    if "feature_support" not in frames:
        states = ["GA", "Preview", "Supported", "Not supported", "Not applicable"]
        legend, key, rows = "State of every support cell, per section:", "section", _rows(frames, "support")
        rows = [r for r in rows if r["state"] not in (None, "Value")]
    else:
        states = ["GA", "Preview", "Not available", "Unknown"]
        legend = "Release state of every feature \u00d7 resource \u00d7 platform combination, per environment:"
        key, rows = "environment", sorted(_rows(frames, "feature_support"), key=lambda r: r["environment"])
    counts: OrderedDict[str, dict[str, int]] = OrderedDict()
    for row in rows:
        group = counts.setdefault(row[key] or "General", {s: 0 for s in [*states, "other"]})
        group[row["state"] if row["state"] in states else "other"] += 1
    return {"states": [(s, state_class(s)) for s in states], "rows": list(counts.items()), "legend": legend, "key": key}


def _timeline(history: pd.DataFrame) -> list[dict[str, Any]]:
    from ..diff import summary

    out = []
    for detected_at, new_revision, changes in runs(history)[:TIMELINE_RUNS]:
        first = summary.records(changes.iloc[:1])[0]
        groups = [
            {
                "environment": g.environment,
                "label": g.label,
                "kind_class": _KIND_CLASS.get(g.kind, "neutral"),
                "changes": g.changes,
            }
            for g in summary.group(changes)
        ]
        old_date, new_date = first["old_ms_date"], first["new_ms_date"]
        out.append(
            {
                "id": anchor(new_revision, detected_at),
                "detected_at": detected_at,
                "revision": new_revision,
                # the page date is news only when the revision changed it
                "old_ms_date": old_date if old_date and old_date != new_date else None,
                "new_ms_date": new_date,
                "title": summary.count_phrase(changes),
                "groups": groups,
            }
        )
    return out


def _downloads(descriptor: dict[str, Any]) -> list[dict[str, Any]]:
    from ._datapackage import dataset_rows

    out: OrderedDict[str, dict[str, Any]] = OrderedDict()
    counts = dataset_rows(descriptor)
    for res in descriptor["resources"]:
        name = res["path"].split("/")[-1].rsplit(".", 1)[0]
        entry = out.setdefault(name, {"name": name, "title": res["title"], "rows": counts.get(name), "files": []})
        entry["files"].append({"format": res["format"], "path": res["path"], "size": _size(res["bytes"])})
        if "jsonSchema" in res:
            entry["schema"] = res["jsonSchema"]
    return list(out.values())


def _size(n: int) -> str:
    return f"{n} B" if n < 1024 else f"{n / 1024:.1f} KiB" if n < 1024 * 1024 else f"{n / 1024 / 1024:.1f} MiB"


def templates() -> Any:
    """The Jinja environment of the site's templates (the page sites and the catalogue root): autoescaped,
    strict about undefined names, every string made safe for XML."""
    import jinja2

    from ._feed import xml_text

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=lambda v: xml_text(v) if isinstance(v, str) else v,
    )


def render(
    frames: dict[str, pd.DataFrame], history: pd.DataFrame, revision: dict[str, Any], descriptor: dict[str, Any]
) -> bytes:
    from ._feed import safe_url

    env = templates()
    page_notes = [n for n in _rows(frames, "notes") if n["section"] is None]
    from ..steps import page_of

    html = env.get_template("index.html.j2").render(
        page_title=page_of(revision).alert_title,
        revision=revision,
        page_url=safe_url(revision.get("canonical_url")),
        page_notes=page_notes,
        sections=_sections(frames),
        overview=_overview(frames),
        timeline=_timeline(history),
        total_runs=len(runs(history)),
        total_changes=len(history),
        downloads=_downloads(descriptor),
        state_class=state_class,
        status_class=status_class,
    )
    return html.encode("utf-8")
