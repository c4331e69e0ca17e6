"""Shared inputs for the publish tests: the sample page's datasets and a hand-made change history."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline.schema import DATASETS
from pipeline.steps import build
from tests.support import local_fetched

SAMPLE = Path(__file__).parent / "fixtures" / "learn_sample.html"
FETCHED_AT = "2025-03-30T10:00:00Z"


def sample_body() -> bytes:
    return SAMPLE.read_bytes()


def sample_frames(body: bytes | None = None) -> dict[str, pd.DataFrame]:
    body = sample_body() if body is None else body
    fetched = local_fetched(
        body, source="tests/fixtures/learn_sample.html", fetched_at=FETCHED_AT, provenance="reconstructed"
    )
    return dict(build(body, fetched).frames)


def meta(frames: dict[str, pd.DataFrame]) -> dict[str, Any]:
    return {"id": str(frames["page"]["sha256"].iloc[0])[:16]}


def change(**values: Any) -> dict[str, Any]:
    row: dict[str, Any] = dict.fromkeys(DATASETS["changes"].names)
    row.update(dataset="feature_support", severity="medium", field="state", old_revision="1111111111111111")
    row.update(values)
    row["change_id"] = row["change_id"] or hashlib.sha256(repr(sorted(values.items())).encode()).hexdigest()[:16]
    return row


def sample_changes() -> pd.DataFrame:
    """Two runs with changes: an older one (promotion + removal) and a newer one (addition)."""
    older = {"new_revision": "2222222222222222", "detected_at": "2025-01-10T08:00:00Z"}
    older.update(old_ms_date="2024-12-01", new_ms_date="2025-01-09")
    newer = {"new_revision": "3333333333333333", "detected_at": "2025-03-30T10:00:00Z"}
    newer.update(old_revision="2222222222222222", old_ms_date="2025-01-09", new_ms_date="2025-03-30")
    rows = [
        change(
            kind="promoted",
            environment="Azure",
            feature="Runtime container VA",
            resource="ACR",
            platform="Windows",
            old="Preview",
            new="GA",
            summary="Runtime container VA (Azure, ACR, Windows) went from Preview to GA.",
            **older,
        ),
        change(
            kind="removed",
            severity="high",
            environment="AWS",
            feature="EKS private clusters",
            resource="EKS",
            platform="Any",
            old="Not available",
            summary="EKS private clusters (AWS) is no longer listed as unsupported.",
            **older,
        ),
        change(
            kind="added",
            environment="AWS",
            feature="Container registry VA",
            resource="Docker Hub",
            platform="Linux",
            new="GA",
            summary="Docker Hub added to Container registry VA on AWS (Linux, GA).",
            **newer,
        ),
    ]
    return pd.DataFrame(rows, columns=DATASETS["changes"].names)


def tree_digest(root: Path) -> dict[str, str]:
    """Relative path -> sha256 of every file under ``root`` (folders included as markers)."""
    out = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        out[rel] = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "<dir>"
    return out
