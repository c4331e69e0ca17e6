"""Release-state cells -> (state, note).

States: GA, Preview, Not available, Unknown (wording we do not know: the raw
text goes to the note so it is noticed, never mislabelled), or None (empty cell).

Older revisions have one "Release state" column plus a "Windows support"
column of check marks: "Release state" is then the Linux state, and the
Windows cell maps as: a check mark ("✓", or "V" as some revisions typed it)
-> the row's release state and note; a check mark with a parenthetical
("✓ (Preview)") -> the parenthetical read as a state; "X"/"-" -> Not available;
anything else is read like a release-state cell.
"""

from __future__ import annotations

import re
from functools import lru_cache

GA = "GA"
PREVIEW = "Preview"
NOT_AVAILABLE = "Not available"
UNKNOWN = "Unknown"
STATES: tuple[str, ...] = (GA, PREVIEW, NOT_AVAILABLE, UNKNOWN)

_NOT_AVAILABLE = frozenset({"-", "--", "—", "–", "x", "✗", "✘", "na", "n/a", "not supported", "not available"})
_GA_WORDS = ("general availability", "generally available", "ga")
_PREVIEW_KINDS = ("public preview", "limited preview", "private preview", "preview")
_CHECK = re.compile(r"^(?:✓|✔|✅|☑|v)(?:\s*\((?P<inner>[^)]*)\))?$", re.I)
_WS = re.compile(r"\s+")


def is_state_header(header: str) -> bool:
    """A release-state column: its header ends in "release state" (or is "Release state")."""
    return _WS.sub(" ", header).strip().lower().endswith("release state")


def is_windows_support_header(header: str) -> bool:
    return _WS.sub(" ", header).strip().lower() == "windows support"


def header_platform(header: str) -> str | None:
    """ "Linux release state" -> "Linux"; a bare "Release state" -> None (decided by the table)."""
    prefix = _WS.sub(" ", header).strip()[: -len("release state")].strip()
    if not prefix:
        return None
    lowered = prefix.lower()
    if lowered == "linux":
        return "Linux"
    if lowered == "windows":
        return "Windows"
    return prefix


@lru_cache(maxsize=1024)
def parse_state(text: str | None) -> tuple[str | None, str | None]:
    """One release-state cell -> (state, note); see the module docstring."""
    raw = _WS.sub(" ", text or "").strip()
    if not raw:
        return None, None
    raw = raw.rstrip(". ") or raw
    lowered = raw.lower()
    if lowered in _NOT_AVAILABLE:
        return NOT_AVAILABLE, None
    for word in _GA_WORDS:
        rest = _after(raw, lowered, word)
        if rest is not None:
            return GA, rest or None
    for kind in _PREVIEW_KINDS:
        rest = _after(raw, lowered, kind)
        if rest is not None:
            qualifier = raw[: len(kind)] if kind != "preview" else ""
            note = "; ".join(part for part in (qualifier, rest) if part)
            return PREVIEW, note or None
    return UNKNOWN, raw


def _after(raw: str, lowered: str, word: str) -> str | None:
    """The qualifier after a leading ``word`` ("GA (x)" -> "x", "Preview - x" -> "x", "GA" -> ""),
    or None when ``raw`` does not start with the word followed by nothing, a parenthetical or a dash."""
    if not lowered.startswith(word):
        return None
    rest = raw[len(word) :].strip()
    if not rest:
        return ""
    if rest[0] == "(" and rest.endswith(")"):
        return rest[1:-1].strip()
    if rest[0] in "-–—:":
        return rest[1:].strip()
    return None


def windows_support(text: str | None, row_state: str | None, row_note: str | None) -> tuple[str | None, str | None]:
    """A "Windows support" cell, given the row's (Linux) release state.

    A bare check mark copies the row's state; when the row has no GA/Preview
    state to copy the result is (None, "<mark> (no release state to copy)").
    """
    raw = _WS.sub(" ", text or "").strip()
    match = _CHECK.match(raw)
    if match is None:
        return parse_state(raw)
    inner = match.group("inner")
    if inner:
        return parse_state(inner)
    if row_state in (GA, PREVIEW):
        return row_state, row_note
    return None, f"{raw} (no release state to copy)"
