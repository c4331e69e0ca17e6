"""Stand-in for ``pipeline.pages`` until that package lands on main (pure; deleted when it does).

Only what the catalogue and ``pages`` commands read: the slug and display name of each page.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import UsageError

DEFAULT = "defender-for-containers"


@dataclass(frozen=True)
class PageSpec:
    slug: str
    display_name: str


_PAGES = (
    PageSpec("defender-for-cloud", "Defender for Cloud interoperability"),
    PageSpec("defender-for-containers", "Defender for Containers"),
    PageSpec("defender-for-servers", "Defender for Servers"),
    PageSpec("defender-for-storage", "Defender for Storage"),
)


def all_pages() -> tuple[PageSpec, ...]:
    return _PAGES


def get(slug: str) -> PageSpec:
    for page in _PAGES:
        if page.slug == slug:
            return page
    raise UsageError(f"unknown page {slug!r} (known: {', '.join(p.slug for p in _PAGES)})")
