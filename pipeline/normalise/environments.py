"""Which cloud environment a table or list describes, from the labels around it.

The vocabulary and the label patterns are the page's (``[environments]`` in pipeline/pages/<slug>.toml).

Rule (in this order; the first label that names an environment wins):

1. the tab label (a tab is the most specific statement of the cloud);
2. the subheading (some revisions put the cloud in an h3, e.g. "Registries and
   images support for AWS - ...", or "External container registries" inside
   the Arc section);
3. the section (h2) label ("Azure (AKS)", "On-premises, Arc-enabled ... clusters").

When no label names an environment: on a page whose feature tables carry no
environment label at all (the single-matrix layout of 2025), the environment
is the page's ``fallback``; on a page split by cloud, a table without a
label is cross-environment: feature rows keep the raw label (and validation
counts it as unmapped), support lists get null.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

from ..model import Scope

if TYPE_CHECKING:
    from ..pages import Environments


def default() -> Environments:
    """The default page's environments (pipeline/pages/): what a caller without a page means."""
    from ..pages import DEFAULT, get

    envs = get(DEFAULT).environments
    assert envs is not None, f"the page {DEFAULT} names its environments"
    return envs


@lru_cache(maxsize=4096)
def map_label(label: str | None, envs: Environments | None = None) -> str | None:
    """The environment a label names ("AWS (EKS)" -> "AWS"), or None if it names none; the page's
    ``environments.labels`` are searched in order, the first match wins."""
    if not label:
        return None
    for pattern, environment in _patterns(envs or default()):
        if pattern.search(label):
            return environment
    return None


@lru_cache(maxsize=16)
def _patterns(envs: Environments) -> tuple[tuple[re.Pattern[str], str], ...]:
    return envs.patterns()


def from_scope(scope: Scope, envs: Environments | None = None) -> tuple[str | None, str | None]:
    """(environment, the raw label it was read from) by the tab > subheading > section rule."""
    for label in (scope.tab, scope.subheading, scope.section):
        environment = map_label(label, envs)
        if environment is not None:
            return environment, label
    return None, None


def fallback_label(scope: Scope) -> str | None:
    """The raw label kept when nothing maps: the tab, else the section, else the subheading."""
    return scope.tab or scope.section or scope.subheading


def page_is_split(scopes: list[Scope], envs: Environments | None = None) -> bool:
    """True when any feature table on the page sits under an environment label."""
    return any(from_scope(scope, envs)[0] is not None for scope in scopes)


def resolve(
    scope: Scope, split: bool, *, required: bool, envs: Environments | None = None
) -> tuple[str | None, str | None]:
    """(environment, environment_label) for something at ``scope``.

    ``split``: the page's feature tables are split by environment. ``required``:
    the dataset needs a value (features keep the raw label when unmapped; support
    lists take null).
    """
    environment, label = from_scope(scope, envs)
    if environment is not None:
        return environment, label
    raw = fallback_label(scope)
    if not split:
        return (envs or default()).fallback, raw
    if required:
        return raw or "", raw
    return None, raw
