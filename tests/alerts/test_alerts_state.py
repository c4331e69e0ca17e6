"""snapshots/alerts-state.json: what it must look like, and what happens when it does not (pipeline/alerts/_state.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pipeline.alerts import _state as state_file
from pipeline.errors import SnapshotError
from tests.support import read_only


def _state() -> state_file.AlertState:
    state = state_file.AlertState()
    state.mark_delivered([("c1", "r1@2025-01-01T00:00:00Z")], "2025-01-01T01:00:00Z")
    state.mark_pending([("c2", "r2@2025-02-01T00:00:00Z")], "2025-02-01T01:00:00Z", "timeout")
    state.health = {"status": "failing", "since": "2025-02-01T01:00:00Z", "announced": ["f1"], "stage": "fetch"}
    return state


def test_what_save_writes_load_reads_back(tmp_path: Path) -> None:
    assert state_file.save(tmp_path, _state())
    assert state_file.load(tmp_path) == _state()
    assert state_file.shape_problem(_state().to_dict()) is None


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda d: d.update(delivered=[]), "'delivered' is a list"),
        (lambda d: d["pending"].update(c2=["r2"]), "pending['c2'] is a list"),
        (lambda d: d["pending"]["c2"].pop("revisions"), "pending['c2'].revisions is missing"),
        (lambda d: d["pending"]["c2"].update(attempts=True), "pending['c2'].attempts is missing or not a int"),
        (lambda d: d["delivered"]["c1"].update(revisions=[1]), "delivered['c1'].revisions holds something other"),
        (lambda d: d.update(health="ok"), "'health' is a str"),
        (lambda d: d["health"].update(status="red"), "health.status is 'red'"),
        (lambda d: d["health"].update(announced="f1"), "health.announced is not a list"),
    ],
)
def test_a_wrong_shape_is_a_snapshot_error(tmp_path: Path, change: Any, words: str) -> None:
    data = _state().to_dict()
    change(data)
    (tmp_path / state_file.STATE_FILE).write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(SnapshotError, match=r"alerts-state\.json has the wrong shape") as info:
        state_file.load(tmp_path)
    assert words in str(info.value)


@pytest.mark.parametrize("text", ["{", "[]", '{"version": 2}'])
def test_unreadable_or_another_version_is_a_snapshot_error(tmp_path: Path, text: str) -> None:
    (tmp_path / state_file.STATE_FILE).write_text(text, encoding="utf-8")
    with pytest.raises(SnapshotError):
        state_file.load(tmp_path)


def test_a_state_that_cannot_be_written_is_a_snapshot_error(tmp_path: Path) -> None:
    with read_only(tmp_path), pytest.raises(SnapshotError, match=r"cannot write .*alerts-state\.json"):
        state_file.save(tmp_path, _state())
