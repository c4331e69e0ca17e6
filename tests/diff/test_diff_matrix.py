"""Typed changes on the generic ``support`` dataset, from hand-made frames."""

from __future__ import annotations

from typing import Any

import pandas as pd

from pipeline.diff import change_id
from pipeline.diff._matrix import matrix_changes, support_diff
from pipeline.schema import DATASETS

WINDOWS = "Windows machine support"


def _frame(*cells: dict[str, Any]) -> pd.DataFrame:
    """A support frame: each cell gives what differs from a ✔ cell of the Windows table."""
    rows = []
    for i, cell in enumerate(cells):
        row = {
            "page": "defender-for-servers",
            "section": WINDOWS,
            "tab": None,
            "subheading": None,
            "table": 0,
            "row": i,
            "row_label": "Network map",
            "column": 1,
            "column_label": "Azure VMs",
            "raw": "✔",
            "state": "Supported",
            "qualifier": None,
            "footnotes": [],
            "cell_key": f"k{i}",
        }
        row.update(cell)
        rows.append(row)
    return pd.DataFrame(rows, columns=DATASETS["support"].names)


def _one(old: dict[str, Any], new: dict[str, Any]) -> Any:
    [change] = support_diff(_frame(old), _frame(new))
    return change


def test_up_and_down_the_ladder_is_promoted_and_demoted() -> None:
    up = _one({"raw": "Preview", "state": "Preview"}, {"raw": "GA", "state": "GA"})
    assert (up.kind, up.severity, up.field, up.old, up.new) == ("promoted", "medium", "state", "Preview", "GA")
    assert (up.dataset, up.feature, up.resource, up.subject) == ("support", "Network map", "Azure VMs", WINDOWS)
    down = _one({}, {"raw": "-", "state": "Not supported"})
    assert (down.kind, down.severity) == ("demoted", "high")
    assert "demoted from Supported to Not supported" in down.summary
    back = _one({"raw": "NA", "state": "Not applicable"}, {"raw": "✔", "state": "Supported"})
    assert back.kind == "promoted"


def test_a_state_change_off_the_ladder_or_on_one_rung_is_state_changed() -> None:
    assert _one({}, {"raw": "GA", "state": "GA"}).kind == "state_changed"  # Supported and GA: one rung
    assert (
        _one({"raw": "-", "state": "Not supported"}, {"raw": "NA", "state": "Not applicable"}).kind == "state_changed"
    )
    assert _one({}, {"raw": "??", "state": "Unknown"}).kind == "state_changed"
    emptied = _one({}, {"raw": "", "state": None})
    assert (emptied.kind, emptied.new) == ("state_changed", None)


def test_same_state_other_qualifier_wording_or_value() -> None:
    note = _one({"raw": "✔ (supported scenarios)", "qualifier": "supported scenarios"}, {"raw": "✔", "qualifier": None})
    assert (note.kind, note.severity, note.field, note.old) == (
        "note_changed",
        "low",
        "qualifier",
        "supported scenarios",
    )
    worded = _one({}, {"raw": "Yes"})
    assert (worded.kind, worded.severity, worded.field) == ("changed", "low", "raw")
    value = _one(
        {"column_label": "Defender for Servers required", "raw": "Yes", "state": "Value"},
        {"column_label": "Defender for Servers required", "raw": "No", "state": "Value"},
    )
    assert (value.kind, value.severity, value.old, value.new) == ("attribute_changed", "medium", "Yes", "No")


def test_case_spacing_and_a_final_full_stop_are_no_change() -> None:
    old = _frame({"raw": "Yes (Plan 2)", "qualifier": "Plan 2", "row_label": "System updates"})
    new = _frame({"raw": "yes  (plan 2).", "qualifier": "plan 2", "row_label": "System Updates"})
    assert support_diff(old, new) == []
    assert support_diff(old, old) == []


def test_cells_that_appear_or_go_are_added_and_removed() -> None:
    old = _frame({}, {"column": 2, "column_label": "Azure Arc-enabled machines", "raw": "✔"})
    new = _frame({}, {"column": 3, "column_label": "Defender for Servers required", "raw": "", "state": None})
    changes = sorted(support_diff(old, new), key=lambda c: c.kind)
    assert [(c.kind, c.resource, c.severity) for c in changes] == [
        ("added", "Defender for Servers required", "medium"),
        ("removed", "Azure Arc-enabled machines", "high"),
    ]
    assert changes[1].old == "✔" and changes[1].new is None


def test_a_renamed_section_pairs_its_cells_instead_of_removing_them() -> None:
    old = _frame({"raw": "Preview", "state": "Preview"}, {"row_label": "File integrity monitoring"})
    new = _frame(
        {"section": "Windows machines", "raw": "GA", "state": "GA"},
        {"section": "Windows machines", "row_label": "File integrity monitoring"},
    )
    changes = support_diff(old, new)
    assert [(c.kind, c.feature, c.subject) for c in changes] == [("promoted", "Network map", "Windows machines")]


def test_a_renamed_column_header_pairs_its_cells_by_position() -> None:
    old = _frame({"column_label": "Azure VMs", "raw": "Preview", "state": "Preview"})
    new = _frame({"column_label": "Azure VMs and VM Scale Sets", "raw": "GA", "state": "GA"})
    [change] = support_diff(old, new)
    assert (change.kind, change.resource) == ("promoted", "Azure VMs and VM Scale Sets")


def test_repeated_labels_pair_in_page_order() -> None:
    old = _frame({"raw": "GA", "state": "GA"}, {"raw": "Preview", "state": "Preview"})
    new = _frame({"raw": "GA", "state": "GA"}, {"raw": "GA", "state": "GA"})
    assert [c.kind for c in support_diff(old, new)] == ["promoted"]


def test_footnote_edits_are_footnote_changes() -> None:
    [change] = support_diff(_frame({"footnotes": ["Needs the agent."]}), _frame({"footnotes": ["Needs agent v2."]}))
    assert (change.kind, change.field, change.old, change.new) == (
        "footnote_changed",
        "footnotes",
        "Needs the agent.",
        "Needs agent v2.",
    )


def test_change_ids_are_stable_and_name_the_cell() -> None:
    old, new = _frame({"raw": "Preview", "state": "Preview"}), _frame({"raw": "GA", "state": "GA"})
    first = [change_id(c) for c in support_diff(old, new)]
    assert first == [change_id(c) for c in support_diff(old.copy(), new.copy())]
    other = _frame({"raw": "Preview", "state": "Preview", "column_label": "Azure Arc-enabled machines"})
    moved = _frame({"raw": "GA", "state": "GA", "column_label": "Azure Arc-enabled machines"})
    assert [change_id(c) for c in support_diff(other, moved)] != first


def test_no_support_dataset_on_either_side_is_no_change() -> None:
    frame = _frame({})
    assert matrix_changes({}, {"support": frame}) == []
    assert matrix_changes({"support": frame}, {}) == []
