"""Release-state cells: every row of the issue's rule table, the old check-mark column, unknown wording."""

from __future__ import annotations

import pytest

from pipeline.normalise.states import (
    GA,
    NOT_AVAILABLE,
    PREVIEW,
    UNKNOWN,
    header_platform,
    is_state_header,
    is_windows_support_header,
    parse_state,
    windows_support,
)


@pytest.mark.parametrize(
    ("cell", "state", "note"),
    [
        ("GA", GA, None),
        ("General availability", GA, None),
        ("Generally available", GA, None),
        ("GA (ACR images only)", GA, "ACR images only"),
        ("Preview", PREVIEW, None),
        ("preview", PREVIEW, None),
        ("Public preview", PREVIEW, "Public preview"),
        ("Limited preview", PREVIEW, "Limited preview"),
        ("Preview - currently supports audit logs", PREVIEW, "currently supports audit logs"),
        (
            "Preview - currently supports audit logs & process events",
            PREVIEW,
            "currently supports audit logs & process events",
        ),
        ("Preview (Container with ACR images are GA)", PREVIEW, "Container with ACR images are GA"),
        ("Limited preview (by invitation)", PREVIEW, "Limited preview; by invitation"),
        ("-", NOT_AVAILABLE, None),
        ("—", NOT_AVAILABLE, None),
        ("X", NOT_AVAILABLE, None),
        ("NA", NOT_AVAILABLE, None),
        ("N/A", NOT_AVAILABLE, None),
        ("Not supported", NOT_AVAILABLE, None),
        ("Not available", NOT_AVAILABLE, None),
        ("", None, None),
        ("   ", None, None),
        (None, None, None),
        ("GA.", GA, None),
    ],
)
def test_rule_table(cell: str | None, state: str | None, note: str | None) -> None:
    assert parse_state(cell) == (state, note)


@pytest.mark.parametrize("cell", ["Coming soon", "Retired", "Gateway", "Previewing", "Beta", "✓"])
def test_unknown_wording_is_noticed_not_mislabelled(cell: str) -> None:
    assert parse_state(cell) == (UNKNOWN, cell)


def test_whitespace_does_not_change_the_reading() -> None:
    assert parse_state("  Preview  -   currently   supports audit logs ") == (PREVIEW, "currently supports audit logs")


@pytest.mark.parametrize(
    ("cell", "row_state", "row_note", "expected"),
    [
        ("✓", GA, None, (GA, None)),
        ("✓", PREVIEW, "kind", (PREVIEW, "kind")),
        ("V", GA, None, (GA, None)),  # some revisions typed the check mark as a V
        ("✓ (Preview)", GA, None, (PREVIEW, None)),
        ("V (Preview)", GA, None, (PREVIEW, None)),
        ("X", GA, None, (NOT_AVAILABLE, None)),
        ("-", PREVIEW, None, (NOT_AVAILABLE, None)),
        ("GA", PREVIEW, None, (GA, None)),
        ("Preview", GA, None, (PREVIEW, None)),
        ("", GA, None, (None, None)),
        ("Sometimes", GA, None, (UNKNOWN, "Sometimes")),
    ],
)
def test_windows_support_column(cell: str, row_state: str, row_note: str | None, expected: tuple) -> None:
    assert windows_support(cell, row_state, row_note) == expected


def test_check_mark_with_nothing_to_copy_is_null_with_a_note() -> None:
    state, note = windows_support("✓", NOT_AVAILABLE, None)
    assert state is None
    assert note == "✓ (no release state to copy)"


@pytest.mark.parametrize(
    ("header", "is_state", "platform"),
    [
        ("Linux release state", True, "Linux"),
        ("Windows release state", True, "Windows"),
        ("Release state", True, None),
        ("release  state", True, None),
        ("Arm64 release state", True, "Arm64"),
        ("Windows support", False, None),
        ("Release date", False, None),
    ],
)
def test_state_headers(header: str, is_state: bool, platform: str | None) -> None:
    assert is_state_header(header) is is_state
    if is_state:
        assert header_platform(header) == platform


def test_windows_support_header() -> None:
    assert is_windows_support_header("Windows  support")
    assert not is_windows_support_header("Windows release state")
