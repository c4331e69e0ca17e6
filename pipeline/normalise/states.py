"""Cells -> states, by the one shared vocabulary (:mod:`pipeline.vocabulary`).

:func:`support_state` reads any matrix cell into the generic support states (GA, Preview, Supported,
Not supported, Not applicable, Value, Unknown; the rules are in :mod:`pipeline.normalise.matrix`).

:func:`parse_state` is the release-state view of the same reading, for the containers page's feature
tables: GA, Preview, Not available (a cell the vocabulary reads as Not supported or Not applicable),
Unknown (anything else: the raw text goes to the note so it is noticed, never mislabelled), or None
(empty cell). Same words, same qualifier grammar: one parser, two views.

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

from ..vocabulary import NOT_SUPPORTED, RELEASE_STATE_OF, SUPPORT_DASHES, SUPPORT_MARKS, SUPPORT_WORDS, SUPPORTED, VALUE

GA = "GA"
PREVIEW = "Preview"
NOT_AVAILABLE = "Not available"
UNKNOWN = "Unknown"
STATES: tuple[str, ...] = (GA, PREVIEW, NOT_AVAILABLE, UNKNOWN)

# longest first, so "not supported" is tried before "no" and "public preview" before "preview"
_WORDS = tuple(sorted(SUPPORT_WORDS, key=lambda pair: -len(pair[0])))
_MARKS = tuple(sorted(SUPPORT_MARKS, key=lambda pair: -len(pair[0])))
_CHECK = re.compile(r"^(?:✓|✔|✅|☑|v)(?:\s*\((?P<inner>[^)]*)\))?$", re.I)
_WS = re.compile(r"\s+")
_LETTER_OR_DIGIT = re.compile(r"[^\W_]")


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


@lru_cache(maxsize=4096)
def support_state(text: str | None) -> tuple[str | None, str | None]:
    """Any matrix cell -> (support state, qualifier); (None, None) for an empty cell.

    Value (no state word at the start) and Unknown (a state word followed by wording the grammar
    does not know, or a cell of marks the vocabulary does not know, such as "??") have no qualifier:
    the cell's raw text is what carries them.
    """
    raw = _WS.sub(" ", text or "").strip()
    if not raw:
        return None, None
    raw = raw.rstrip(". ") or raw
    lowered = raw.lower()
    if lowered in SUPPORT_DASHES:
        return NOT_SUPPORTED, None
    for mark, state in _MARKS:
        if raw.startswith(mark):
            return _release_inside(state, _qualifier(raw[len(mark) :]))
    for word, state in _WORDS:
        if not lowered.startswith(word):
            continue
        rest = _after(raw, lowered, word)
        if rest is None:
            if _LETTER_OR_DIGIT.match(lowered[len(word) : len(word) + 1] or " "):
                continue  # a longer word: "Node", "Yesterday", "GAR"
            return UNKNOWN, None
        if state == PREVIEW and word != "preview":
            rest = "; ".join(part for part in (raw[: len(word)], rest) if part)
        return _release_inside(state, rest or None)
    if not _LETTER_OR_DIGIT.search(raw):
        return UNKNOWN, None
    return VALUE, None


def _release_inside(state: str, qualifier: str | None) -> tuple[str, str | None]:
    """A check mark qualified by a release state is that state: "✓ (Preview)" is Preview."""
    if state == SUPPORTED and qualifier:
        inner, rest = support_state(qualifier)
        if inner in (GA, PREVIEW):
            return inner, rest
    return state, qualifier


@lru_cache(maxsize=1024)
def parse_state(text: str | None) -> tuple[str | None, str | None]:
    """One release-state cell -> (state, note); see the module docstring."""
    state, qualifier = support_state(text)
    if state is None:
        return None, None
    release = RELEASE_STATE_OF.get(state)
    if release is None:
        raw = _WS.sub(" ", text or "").strip()
        return UNKNOWN, raw.rstrip(". ") or raw
    return release, qualifier


def _qualifier(rest: str) -> str | None:
    """What follows a mark: "(supported scenarios)" -> "supported scenarios", ": x" -> "x"."""
    rest = rest.strip()
    if rest.startswith("(") and rest.endswith(")") and rest.count("(") == 1:
        rest = rest[1:-1]
    elif rest[:1] in ("-", "–", "—", ":"):
        rest = rest[1:]
    return rest.strip() or None


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
