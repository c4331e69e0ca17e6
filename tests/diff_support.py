"""Hand-made frames for the diff tests (builders shared by tests/diff/)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from pipeline.diff import diff
from pipeline.schema import DATASETS

OLD_META = {"id": "a" * 16, "ms_date": "2025-01-01", "git_commit_id": "1" * 7, "fetched_at": "2025-01-01T00:00:00Z"}
NEW_META = {"id": "b" * 16, "ms_date": "2025-02-01", "git_commit_id": "2" * 7, "fetched_at": "2025-02-01T00:00:00Z"}


def frame(name: str, rows: list[dict[str, Any]]) -> pd.DataFrame:
    columns = DATASETS[name].names
    return pd.DataFrame([{c: r.get(c) for c in columns} for r in rows], columns=columns)


def support(feature: str, resource: str, platform: str, state: str | None, note: str | None = None, **kw: Any) -> dict:
    env = kw.get("environment", "Azure")
    return {
        "environment": env,
        "section": kw.get("section", "Runtime protection features"),
        "feature": feature,
        "resource": resource,
        "platform": platform,
        "state": state,
        "note": note,
        "feature_key": kw.get("feature_key", f"{env}|{feature.lower()}"),
    }


def feature(name: str, **kw: Any) -> dict:
    env = kw.pop("environment", "Azure")
    row = {
        "table_index": 0,
        "row": 0,
        "section": "Runtime protection features",
        "environment": env,
        "environment_label": kw.pop("environment_label", env),
        "feature": name,
        "resources": ["AKS"],
        "plans": ["Defender for Containers"],
        "clouds": ["Commercial clouds"],
        "footnotes": [],
        "extra": "{}",
        "feature_key": f"{env}|{name.lower()}",
    }
    row.update(kw)
    return row


def item(text: str, status: str = "Supported", **kw: Any) -> dict:
    return {
        "table_index": kw.get("table_index", 4),
        "section": kw.get("section", "Registries and images"),
        "environment": kw.get("environment", "AWS"),
        "subheading": kw.get("subheading"),
        "aspect": kw.get("aspect", "Registries and images"),
        "status": status,
        "item": text,
        "footnotes": kw.get("footnotes", []),
    }


def osv(name: str, raw: str, **kw: Any) -> dict:
    return {
        "context": kw.get("context", "Registries and images / Operating systems"),
        "environment": kw.get("environment", "Azure"),
        "name": name,
        "version_min": kw.get("version_min"),
        "version_max": kw.get("version_max"),
        "versions": kw.get("versions", []),
        "open_ended": kw.get("open_ended"),
        "based_on": kw.get("based_on"),
        "note": kw.get("note"),
        "raw": raw,
    }


def note(
    text: str, kind: str = "NOTE", section: str | None = "Kubernetes distributions", tab: str | None = "Azure"
) -> dict:
    return {"kind": kind, "text": text, "section": section, "tab": tab}


def run(old: dict[str, list[dict]], new: dict[str, list[dict]]) -> pd.DataFrame:
    return diff(
        {k: frame(k, v) for k, v in old.items()},
        {k: frame(k, v) for k, v in new.items()},
        OLD_META,
        NEW_META,
    )


def kinds(changes: pd.DataFrame) -> list[str]:
    return sorted(changes["kind"])


MALWARE = [
    support("Malware detection", "AKS nodes", "Linux", "Preview"),
    support("Malware detection", "AKS nodes", "Windows", "Preview"),
    support("Binary drift detection", "AKS", "Linux", "GA"),
    support("Binary drift detection", "AKS", "Windows", "Not available"),
]
