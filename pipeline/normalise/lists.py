"""Resources, plans and clouds cells -> lists with one canonical spelling per value.

Canonical spellings (anything else is kept as written, trimmed):

* resources: split on commas; "-", "—", "N/A" and empty mean none; leading
  dashes are typos ("-GKE" -> "GKE"); "Jfrog Artifactory"/"JfFrog Artifactory"
  -> "JFrog Artifactory"; "VMSS" -> "Virtual Machine Scale Set" (the newer
  wording); other values keep their page spelling, case-insensitively
  matched against the spellings listed in ``RESOURCES``.
* plans: split on "or"/"OR"/commas; "Defender for Servers P2" -> "Defender for
  Servers Plan 2"; a bare "CSPM" in a plan list -> "Defender CSPM"; a trailing
  parenthetical ("Defender CSPM (requires Agentless discovery ...)") is not part
  of the plan: it is returned separately as the qualifier; "-" means none.
* clouds: "Commercial clouds National clouds: Azure Government, Azure operated
  by 21Vianet" -> ["Commercial clouds", "Azure Government", "Azure operated by
  21Vianet"]; "Azure commercial clouds" -> "Commercial clouds"; "Azure China
  21Vianet" and "Microsoft Azure operated by 21Vianet" -> "Azure operated by
  21Vianet". A value outside ``CLOUDS`` (e.g. the page's own placeholder
  "Azure ??") is kept raw and reported by :func:`unknown_clouds`.
"""

from __future__ import annotations

import re
from functools import lru_cache

_NONE = frozenset({"", "-", "--", "—", "–", "n/a", "na", "none"})
_WS = re.compile(r"\s+")

RESOURCES: tuple[str, ...] = (
    "ACR",
    "Private ACR",
    "AKS",
    "AKS nodes",
    "ECR",
    "EKS",
    "EC2",
    "GAR",
    "GCR",
    "GKE",
    "GCP VMs",
    "VM",
    "VMs",
    "Virtual Machine Scale Set",
    "Arc enabled K8s clusters",
    "Arc enabled OpenShift clusters",
    "Arc enabled VMs",
    "Docker Hub",
    "JFrog Artifactory",
)
_RESOURCE_ALIASES = {
    "jffrog artifactory": "JFrog Artifactory",
    "vmss": "Virtual Machine Scale Set",
    "virtual machine scale sets": "Virtual Machine Scale Set",
}

PLANS: tuple[str, ...] = (
    "Defender for Containers",
    "Defender CSPM",
    "Foundational CSPM",
    "Defender for Servers Plan 2",
    "Defender for Servers",
    "Free",
)
_PLAN_ALIASES = {
    "defender for servers p2": "Defender for Servers Plan 2",
    "defender for servers plan2": "Defender for Servers Plan 2",
    "cspm": "Defender CSPM",
}

COMMERCIAL = "Commercial clouds"
GOVERNMENT = "Azure Government"
CHINA = "Azure operated by 21Vianet"
CLOUDS: tuple[str, ...] = (COMMERCIAL, GOVERNMENT, CHINA)
_CLOUD_ALIASES = {
    "commercial clouds": COMMERCIAL,
    "commercial cloud": COMMERCIAL,
    "azure commercial clouds": COMMERCIAL,
    "azure commercial cloud": COMMERCIAL,
    "azure government": GOVERNMENT,
    "azure china 21vianet": CHINA,
    "azure china": CHINA,
    "azure operated by 21vianet": CHINA,
    "microsoft azure operated by 21vianet": CHINA,
    "21vianet": CHINA,
}
_NATIONAL = re.compile(r"\bnational clouds?\s*:", re.I)
_PLAN_SEP = re.compile(r"\s*,\s*|\s+or\s+", re.I)
_TRAILING_PAREN = re.compile(r"^(?P<head>.*?)\s*\((?P<inner>[^()]*)\)\s*$")


def _clean(text: str) -> str:
    return _WS.sub(" ", text).strip()


def _canonical(value: str, known: tuple[str, ...], aliases: dict[str, str]) -> str:
    lowered = value.lower()
    if lowered in aliases:
        return aliases[lowered]
    for name in known:
        if name.lower() == lowered:
            return name
    return value


def _dedupe(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


def is_none(text: str | None) -> bool:
    return _clean(text or "").lower() in _NONE


def split_resources(text: str | None) -> list[str]:
    """'ACR, ECR, GAR, GCR' -> ['ACR', 'ECR', 'GAR', 'GCR']; '-' -> []."""
    return list(_resources(text))


@lru_cache(maxsize=1024)
def _resources(text: str | None) -> tuple[str, ...]:
    if is_none(text):
        return ()
    out = []
    for part in _clean(text or "").split(","):
        value = _clean(part).lstrip("-–— ").strip()
        if value and value.lower() not in _NONE:
            out.append(_canonical(value, RESOURCES, _RESOURCE_ALIASES))
    return tuple(_dedupe(out))


def split_plans(text: str | None) -> tuple[list[str], str | None]:
    """(plans, qualifier): "Defender for Containers OR Defender CSPM" -> both plans, no qualifier."""
    plans, qualifier = _plans(text)
    return list(plans), qualifier


@lru_cache(maxsize=1024)
def _plans(text: str | None) -> tuple[tuple[str, ...], str | None]:
    if is_none(text):
        return (), None
    out: list[str] = []
    qualifiers: list[str] = []
    for part in _PLAN_SEP.split(_clean(text or "")):
        value = _clean(part)
        match = _TRAILING_PAREN.match(value)
        if match and match.group("head"):
            value, qualifier = match.group("head"), _clean(match.group("inner"))
            qualifiers.append(qualifier)
        if value and value.lower() not in _NONE:
            out.append(_canonical(value, PLANS, _PLAN_ALIASES))
    return tuple(_dedupe(out)), ("; ".join(qualifiers) or None)


def split_clouds(text: str | None) -> list[str]:
    """Cloud availability -> canonical cloud names (see the module docstring)."""
    return list(_clouds(text))


@lru_cache(maxsize=1024)
def _clouds(text: str | None) -> tuple[str, ...]:
    if is_none(text):
        return ()
    text = _clean(text or "")
    parts: list[str] = []
    match = _NATIONAL.search(text)
    if match:
        head, tail = text[: match.start()], text[match.end() :]
        head = re.sub(r"\s*(?:,|\band\b)\s*$", "", head.strip(), flags=re.I)
        parts.extend(p for p in re.split(r"\s*,\s*", head) if p.strip())
        parts.extend(p for p in re.split(r"\s*,\s*|\s+and\s+", tail) if p.strip())
    else:
        parts.extend(p for p in re.split(r"\s*,\s*", text) if p.strip())
    out = [_canonical(_clean(p), CLOUDS, _CLOUD_ALIASES) for p in parts]
    return tuple(_dedupe([v for v in out if v.lower() not in _NONE]))


def unknown_clouds(clouds: list[str]) -> list[str]:
    return [c for c in clouds if c not in CLOUDS]
