"""Which cloud environment a table or list describes, from the labels around it.

Vocabulary: Azure, AWS, GCP, Arc-enabled Kubernetes, External registries.

Rule (in this order; the first label that names an environment wins):

1. the tab label (a tab is the most specific statement of the cloud);
2. the subheading (some revisions put the cloud in an h3, e.g. "Registries and
   images support for AWS - ...", or "External container registries" inside
   the Arc section);
3. the section (h2) label ("Azure (AKS)", "On-premises, Arc-enabled Kubernetes clusters").

When no label names an environment: on a page whose feature tables carry no
environment label at all (the single-matrix layout of 2025, which describes
Azure), the environment is Azure; on a page split by cloud, a table without a
label is cross-environment: feature rows keep the raw label (and validation
counts it as unmapped), support lists get null.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ..model import Scope

AZURE = "Azure"
AWS = "AWS"
GCP = "GCP"
ARC = "Arc-enabled Kubernetes"
EXTERNAL = "External registries"
VOCABULARY: tuple[str, ...] = (AZURE, AWS, GCP, ARC, EXTERNAL)

# searched in order: "Azure Arc" is Arc, "External container registries" on an
# Arc page are external registries, and only then the bare cloud names
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\bexternal\s+(?:container\s+)?registr", re.I), EXTERNAL),
    (re.compile(r"\barc\b|\bon-?prem", re.I), ARC),
    (re.compile(r"\b(?:aws|eks|ecr|amazon)\b", re.I), AWS),
    (re.compile(r"\b(?:gcp|gke|gar|gcr|google)\b", re.I), GCP),
    (re.compile(r"\b(?:azure|aks|acr)\b", re.I), AZURE),
)


@lru_cache(maxsize=1024)
def map_label(label: str | None) -> str | None:
    """The environment a label names ("AWS (EKS)" -> "AWS"), or None if it names none."""
    if not label:
        return None
    for pattern, environment in _PATTERNS:
        if pattern.search(label):
            return environment
    return None


def from_scope(scope: Scope) -> tuple[str | None, str | None]:
    """(environment, the raw label it was read from) by the tab > subheading > section rule."""
    for label in (scope.tab, scope.subheading, scope.section):
        environment = map_label(label)
        if environment is not None:
            return environment, label
    return None, None


def fallback_label(scope: Scope) -> str | None:
    """The raw label kept when nothing maps: the tab, else the section, else the subheading."""
    return scope.tab or scope.section or scope.subheading


def page_is_split(scopes: list[Scope]) -> bool:
    """True when any feature table on the page sits under an environment label."""
    return any(from_scope(scope)[0] is not None for scope in scopes)


def resolve(scope: Scope, split: bool, *, required: bool) -> tuple[str | None, str | None]:
    """(environment, environment_label) for something at ``scope``.

    ``split``: the page's feature tables are split by environment. ``required``:
    the dataset needs a value (features keep the raw label when unmapped; support
    lists take null).
    """
    environment, label = from_scope(scope)
    if environment is not None:
        return environment, label
    raw = fallback_label(scope)
    if not split:
        return AZURE, raw
    if required:
        return raw or "", raw
    return None, raw
