"""The repo's sample page (reconstructed from the seed) as golden tidy datasets.

Regenerate after a deliberate change with ``SUPPORTMATRIX_UPDATE_GOLDEN=1 pytest tests/test_normalise_golden.py``
and review the diff against the seed text before committing it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from pipeline._io import conform, json_bytes, records
from pipeline.extract import extract
from pipeline.normalise import Tidy, covers, tidy
from pipeline.schema import DATASETS, TIDY

SAMPLE = (Path(__file__).parents[1] / "fixtures" / "learn_sample.html").read_bytes()
GOLDEN = Path(__file__).parents[1] / "golden" / "normalise"


@pytest.fixture(scope="module")
def result() -> Tidy:
    return tidy(extract(SAMPLE))


@pytest.mark.parametrize("name", TIDY)
def test_sample_page_golden(result: Tidy, name: str) -> None:
    dataset = DATASETS[name]
    got = json.loads(json_bytes(records(conform(result.frames[name], dataset), dataset)))
    path = GOLDEN / f"{name}.json"
    if os.environ.get("SUPPORTMATRIX_UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(json_bytes(got))
    assert got == json.loads(path.read_text(encoding="utf-8"))


def test_sample_page_answers_the_issue_questions(result: Tidy) -> None:
    frames = result.frames
    support = frames["feature_support"]
    drift = support[(support["feature"] == "Binary drift detection") & (support["environment"] == "Azure")]
    assert sorted(zip(drift["platform"], drift["state"])) == [("Linux", "GA"), ("Windows", "GA")]
    assert covers(frames["os_versions"], "Alpine Linux", "3.20")
    assert not covers(frames["os_versions"], "Alpine Linux", "3.9")
    features = frames["features"].set_index("feature")
    assert list(features.loc["Container registry VA", "footnotes"]) == [
        "National clouds are automatically enabled and cannot be disabled."
    ]
    sensor = features[features["enablement"].str.contains("Defender sensor")].index
    assert sorted(sensor) == [
        "Advanced hunting in XDR",
        "Binary drift detection",
        "Response actions in XDR",
        "Runtime container VA",
        "Workload detection",
    ]
    assert result.oddities == ()  # the seed's page has nothing left to flag
