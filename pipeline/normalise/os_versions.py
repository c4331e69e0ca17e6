"""Operating-system lines -> name + version range, and "is version V of OS N covered?".

Grammar of one line (every OS line on the page so far fits it)::

    line     := entry ("," entry-or-versions)* [open-ended] ["(" remark ")"]
    entry    := name [version | range]
    versions := version | range | codename          (attach to the entry before)
    range    := version ("-" | "–" | "to") version
    version  := ["v" | "V"] digits ("." digits)*
    open-ended := "and above" | "or later" | "or newer" | ... (up)
                | "and below" | "or earlier" | ...      (down)
    remark   := "based on X" (based_on) | "version 4.6 or newer" (a version spec)
              | anything else (note)

A single version is an explicit list of one ("Ubuntu 20.04" -> versions
["20.04"]); a range fills version_min/version_max; an open-ended version
fills the bound it starts from. A line the grammar does not accept is
"unparsed": :func:`parse_os_line` returns None and the caller keeps it with
note ``UNPARSED``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

UNPARSED = "unparsed"

_VERSION = r"[vV]?\d+(?:\.\d+)*"
_RANGE = re.compile(rf"^(?P<lo>{_VERSION})\s*(?:-|–|—|\bto\b)\s*(?P<hi>{_VERSION})$")
_SINGLE = re.compile(rf"^{_VERSION}$")
_CODENAME = re.compile(r"^[a-z]+$")
_ENTRY = re.compile(rf"^(?P<name>[A-Za-z].*?)(?:\s+(?P<spec>{_VERSION}\s*(?:(?:-|–|—|\bto\b)\s*{_VERSION})?))?$")
_DIGITS_TOKEN = re.compile(r"(?:^|\s)[vV]?\d+(?:\.\d+)*(?:\s|$)")
_UP = ("and above", "and later", "or later", "or newer", "and newer", "or higher", "and higher", "and beyond", "+")
_DOWN = ("and below", "and earlier", "or earlier", "or older", "and older", "or lower", "and lower")
_OPEN = re.compile(
    r"\s*(?P<phrase>" + "|".join(re.escape(p) for p in sorted(_UP + _DOWN, key=len, reverse=True)) + r")$", re.I
)
_WS = re.compile(r"\s+")

OS_NAMES: tuple[str, ...] = (
    "Alpine Linux",
    "Amazon Linux",
    "Azure Linux",
    "CentOS",
    "Debian",
    "Debian GNU/Linux",
    "Fedora",
    "FreeBSD",
    "Google Container-Optimized OS",
    "Google Distroless",
    "Linux Kernel",
    "Mariner",
    "openSUSE Leap",
    "openSUSE Tumbleweed",
    "Oracle Linux",
    "Red Hat Enterprise Linux",
    "Red Hat OpenShift",
    "SUSE Enterprise Linux",
    "Ubuntu",
    "Windows Server",
    "AKS",
)
_CANONICAL = {n.lower(): n for n in OS_NAMES}
# Debian releases are listed by codename in early revisions
DEBIAN_CODENAMES = {
    "wheezy": "7",
    "jessie": "8",
    "stretch": "9",
    "buster": "10",
    "bullseye": "11",
    "bookworm": "12",
    "trixie": "13",
}


@dataclass
class OsEntry:
    name: str
    version_min: str | None = None
    version_max: str | None = None
    versions: list[str] = field(default_factory=list)
    open_ended: str | None = None  # "up" / "down"
    based_on: str | None = None
    note: str | None = None
    raw: str = ""


def canonical_name(name: str) -> str:
    """One spelling per OS ("Windows server" -> "Windows Server"); unknown names as written."""
    cleaned = _WS.sub(" ", name).strip()
    return _CANONICAL.get(cleaned.lower(), cleaned)


def _strip_version(v: str) -> str:
    return v[1:] if v[:1] in "vV" else v


def _trailing_paren(text: str) -> tuple[str, str] | None:
    """("CentOS 6-9", "CentOS is End Of Life (EOL) ...") for a line ending in a balanced parenthetical."""
    if not text.endswith(")"):
        return None
    depth = 0
    for i in range(len(text) - 1, -1, -1):
        if text[i] == ")":
            depth += 1
        elif text[i] == "(":
            depth -= 1
            if depth == 0:
                return text[:i].rstrip(" ."), text[i + 1 : -1].strip()
    return None


def _open_ended(text: str) -> tuple[str, str | None]:
    match = _OPEN.search(text)
    if match is None:
        return text, None
    phrase = match.group("phrase").lower()
    return text[: match.start()].rstrip(), ("up" if phrase in _UP else "down")


def _apply_spec(entry: OsEntry, spec: str) -> bool:
    spec = spec.strip()
    ranged = _RANGE.match(spec)
    if ranged:
        entry.version_min, entry.version_max = _strip_version(ranged.group("lo")), _strip_version(ranged.group("hi"))
        return True
    if _SINGLE.match(spec) or _CODENAME.match(spec):
        entry.versions.append(_strip_version(spec))
        return True
    return False


def parse_os_line(raw: str) -> list[OsEntry] | None:
    """One OS line -> its entries (two for "openSUSE Leap, openSUSE Tumbleweed"), or None if unparsed."""
    parsed = _parse_cached(raw)
    return None if parsed is None else [replace(e, versions=list(e.versions)) for e in parsed]


@lru_cache(maxsize=4096)
def _parse_cached(raw: str) -> tuple[OsEntry, ...] | None:
    # the same lines recur in every revision; callers get copies
    entries = _parse(raw)
    return None if entries is None else tuple(entries)


def _parse(raw: str) -> list[OsEntry] | None:
    text = _WS.sub(" ", raw).strip().rstrip(".").strip()
    notes: list[str] = []
    based_on = None
    remark_spec = None
    while (split := _trailing_paren(text)) is not None:
        text, inner = split
        lowered = inner.lower()
        if lowered.startswith("based on "):
            based_on = inner[len("based on ") :].strip()
        elif lowered.startswith("version "):
            remark_spec = inner[len("version ") :].strip()
        else:
            notes.insert(0, inner)
    text, open_ended = _open_ended(text)
    segments = [s for s in re.split(r"\s*,\s*", text) if s] if text else []
    entries: list[OsEntry] = []
    for i, segment in enumerate(segments):
        if entries and (_RANGE.match(segment) or _SINGLE.match(segment) or _CODENAME.match(segment)):
            _apply_spec(entries[-1], segment)
            continue
        match = _ENTRY.match(segment)
        if match is None:
            return None
        name, spec = match.group("name"), match.group("spec")
        following = segments[i + 1] if i + 1 < len(segments) else ""
        words = name.rsplit(" ", 1)
        if spec is None and following and _CODENAME.match(following) and len(words) == 2 and _CODENAME.match(words[1]):
            name, spec = words  # "Debian GNU/Linux wheezy, jessie, ..."
        name = re.sub(r"\s+version$", "", name, flags=re.I)
        if _DIGITS_TOKEN.search(name):
            return None
        entry = OsEntry(canonical_name(name), raw=raw)
        if spec is not None and not _apply_spec(entry, spec):
            return None
        entries.append(entry)
    if not entries:
        return None
    last = entries[-1]
    if remark_spec is not None:
        remark_spec, remark_open = _open_ended(remark_spec)
        if not _apply_spec(last, remark_spec):
            return None
        open_ended = open_ended or remark_open
    if open_ended is not None:
        last.open_ended = open_ended
        if last.versions and last.version_min is None and last.version_max is None and len(last.versions) == 1:
            bound = last.versions.pop()
            if open_ended == "up":
                last.version_min = bound
            else:
                last.version_max = bound
    last.based_on = based_on
    last.note = "; ".join(notes) or None
    for entry in entries:
        entry.versions = list(dict.fromkeys(entry.versions))
    return entries


_PHRASE = re.compile(
    rf"\b(?P<name>Linux Kernel|AKS|EKS|GKE|Kubernetes)\s+(?:version\s+)?(?P<version>{_VERSION})"
    r"(?:\s+(?P<open>" + "|".join(re.escape(p) for p in _UP + _DOWN if p != "+") + r"))?\b"
)


def version_phrases(text: str) -> list[tuple[str, OsEntry]]:
    """Version statements inside prose ("... only with Linux Kernel 5.4 and above, ...",
    "The Defender sensor in AKS V1.28 and below isn't supported on Arm64 nodes.") as
    (phrase, entry); the entry's note is the sentence it came from."""
    out = []
    for sentence in _SENTENCE.split(text):
        for match in _PHRASE.finditer(sentence):
            parsed = parse_os_line(match.group(0))
            if parsed:
                parsed[0].note = sentence.strip()
                out.append((match.group(0), parsed[0]))
    return out


_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")


# -- comparing versions ------------------------------------------------------


def version_key(version: str | None, name: str = "") -> tuple[int, ...] | None:
    """ "3.12" -> (3, 12); a Debian codename -> its number; anything else -> None."""
    if version is None:
        return None
    value = _strip_version(version.strip())
    if name.lower().startswith("debian") and value.lower() in DEBIAN_CODENAMES:
        value = DEBIAN_CODENAMES[value.lower()]
    if not re.fullmatch(r"\d+(?:\.\d+)*", value):
        return None
    return tuple(int(p) for p in value.split("."))


def _at(version: tuple[int, ...], precision: int) -> tuple[int, ...]:
    """``version`` at a bound's precision: 3.21.4 against "3.21" is 3.21; 1 against "1.0" is 1.0."""
    return (version + (0,) * precision)[:precision]


def _row_covers(row: Mapping[str, Any], version: str) -> bool:
    name = str(row.get("name") or "")
    v = version_key(version, name)
    listed = [x for x in (row.get("versions") or []) if x is not None]
    lo, hi = row.get("version_min"), row.get("version_max")
    if not listed and not _present(lo) and not _present(hi):
        return True  # the OS is listed without any version restriction
    for item in listed:
        k = version_key(item, name)
        if k is not None and v is not None and _at(v, len(k)) == k:
            return True
        if (k is None or v is None) and str(item).lower() == version.strip().lower():
            return True
    if not _present(lo) and not _present(hi):
        return False
    if v is None:
        return False
    lo_k = version_key(lo, name) if _present(lo) else None
    hi_k = version_key(hi, name) if _present(hi) else None
    if _present(lo) and (lo_k is None or _at(v, len(lo_k)) < lo_k):
        return False
    return not (_present(hi) and (hi_k is None or _at(v, len(hi_k)) > hi_k))


def _present(value: Any) -> bool:
    return isinstance(value, str) and value != ""


def covers(rows: Any, name: str, version: str) -> bool:
    """Is ``version`` of OS ``name`` covered by any of ``rows`` (an os_versions frame or
    an iterable of row mappings)? Names compare by canonical spelling, case-insensitively;
    versions numerically at the precision of the listed bound (3.9 < 3.12; 3.21.4 is
    within "3.12-3.21"); a row that names the OS without any version covers every version."""
    records: Iterable[Mapping[str, Any]] = rows.to_dict("records") if hasattr(rows, "to_dict") else rows
    wanted = canonical_name(name).lower()
    return any(
        _row_covers(row, version) for row in records if canonical_name(str(row.get("name") or "")).lower() == wanted
    )
