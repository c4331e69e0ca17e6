"""The catalogue root's files, from what each page published (pure: values in, bytes out).

:mod:`pipeline.publish.catalogue` reads every page folder into a :class:`Published` (or a
:class:`Unlisted` saying why not) and swaps the result in; this module only renders:

    index.html        every page: its latest change, when it was last checked, its downloads
    datapackage.json  every page's resources, paths prefixed ``<slug>/``, names ``<slug>-<name>``
    changes.atom      every page's feed entries, newest first, the page named in each title

Deterministic: pages in slug order, entries by (updated, slug, id), every time taken from what the
pages published (never the clock), so the same page folders give the same bytes.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from .. import __version__
from .._io import json_bytes
from ..schema import SCHEMA_VERSION
from ._datapackage import LICENSES, PROFILE
from ._feed import TAG, new_feed, parse_time, safe_url, xml_text

INDEX, DESCRIPTOR, FEED = "index.html", "datapackage.json", "changes.atom"
FILES = (INDEX, DESCRIPTOR, FEED)  # what the catalogue owns in the root; everything else is the pages'
FEED_ID = TAG + "catalogue/changes"
NAME = "defender-for-cloud-support-matrices"
TITLE = "Defender for Cloud support matrices"
_NO_TIME = "1970-01-01T00:00:00Z"


@dataclass(frozen=True)
class Entry:
    """One entry of a page's own feed, as published."""

    id: str
    title: str
    updated: str
    published: str | None = None
    link: str | None = None
    content: str | None = None  # HTML text


@dataclass(frozen=True)
class Published:
    """One page folder that passed its check: its descriptor, its page row and its feed."""

    slug: str
    display_name: str
    descriptor: dict[str, Any]
    page: dict[str, Any]  # the row of latest/page.json
    feed_title: str  # the page feed's <title>: "<page>: changes"
    entries: tuple[Entry, ...]  # newest first

    @property
    def latest(self) -> Entry | None:
        return self.entries[0] if self.entries else None

    def summary(self, entry: Entry) -> str:
        """The entry's title without the page's own name in front (the listing names the page)."""
        prefix = self.feed_title.removesuffix(": changes")
        return entry.title.removeprefix(f"{prefix}: ") if prefix else entry.title


@dataclass(frozen=True)
class Unlisted:
    """A page with no usable folder: ``reason`` is the one line the listing and the log show."""

    slug: str
    display_name: str
    reason: str


Listing = Published | Unlisted


def entry_id(slug: str, entry: Entry) -> str:
    """The page feed's own id where it already names the page (a reader subscribed to both feeds sees
    one item); otherwise one derived from it, so two pages never share an entry id."""
    if entry.id.startswith(f"{TAG}{slug}/"):
        return entry.id
    return f"{TAG}{slug}/entry/{hashlib.sha256(entry.id.encode('utf-8')).hexdigest()[:32]}"


def descriptor(pages: list[Listing]) -> dict[str, Any]:
    """One data package over every listed page's files (already hashed and sized by its own publish)."""
    published = [p for p in pages if isinstance(p, Published)]
    resources: list[dict[str, Any]] = []
    sources: list[Any] = []
    members: list[dict[str, Any]] = []
    keywords: set[str] = {"defender-for-cloud", "support-matrix"}
    for page in published:
        desc = page.descriptor
        keywords.update(str(k) for k in desc.get("keywords") or [])
        sources.extend(desc.get("sources") or [])
        members.append(
            {
                "slug": page.slug,
                "title": page.display_name,
                "path": f"{page.slug}/{DESCRIPTOR}",
                "index": f"{page.slug}/{INDEX}",
                "revision": desc.get("revision"),
            }
        )
        for res in desc["resources"]:
            out = {**res, "name": f"{page.slug}-{res['name']}", "path": f"{page.slug}/{res['path']}"}
            out["title"] = f"{page.display_name}: {res.get('title') or res['name']}"
            if "jsonSchema" in res:
                out["jsonSchema"] = f"{page.slug}/{res['jsonSchema']}"
            resources.append(out)
    return {
        "$schema": PROFILE,
        "name": NAME,
        "title": TITLE,
        "description": (
            "Every Microsoft Defender for Cloud support matrix this project tracks (Microsoft Learn), as tidy, "
            "validated datasets with their typed change history: one folder per page, each also a data "
            "package of its own. Extracted automatically; the Learn pages are authoritative."
        ),
        "version": SCHEMA_VERSION,
        "keywords": sorted(keywords),
        "licenses": LICENSES,
        "sources": sources,
        "pages": members,
        "resources": resources,
    }


def descriptor_bytes(pages: list[Listing]) -> bytes:
    return json_bytes(descriptor(pages))


def _entries(pages: list[Listing]) -> list[tuple[Published, Entry]]:
    pairs = [(p, e) for p in pages if isinstance(p, Published) for e in p.entries]
    # newest first; the same instant on two pages in slug order, so the order never depends on reading order
    pairs.sort(key=lambda pe: (pe[1].updated, pe[0].slug, pe[1].id))
    pairs.sort(key=lambda pe: parse_time(pe[1].updated), reverse=True)
    return pairs


def atom(pages: list[Listing], *, site_url: str | None = None) -> bytes:
    """The combined feed: every page's entries, each titled "<page>: <what changed>"."""
    site = site_url.rstrip("/") if site_url else None
    subtitle = "Typed support changes detected in the Microsoft Learn support matrix pages, every page in one feed."
    fg = new_feed(FEED_ID, f"{TITLE}: changes", subtitle, site=site, self_path=FEED)
    pairs = _entries(pages)
    for page, entry in pairs:
        item = fg.add_entry(order="append")
        item.id(entry_id(page.slug, entry))
        item.title(xml_text(f"{page.display_name}: {page.summary(entry)}"))
        item.updated(parse_time(entry.updated))
        item.published(parse_time(entry.published or entry.updated))
        item.category(term=page.slug, label=page.display_name)
        link = safe_url(entry.link) or (f"{site}/{page.slug}/{INDEX}" if site else None)
        if link:
            item.link(href=link)
        if entry.content:
            item.content(xml_text(entry.content), type="html")
    fg.updated(parse_time(pairs[0][1].updated if pairs else _newest_check(pages)))
    return bytes(fg.atom_str(pretty=True))


def _newest_check(pages: list[Listing]) -> str:
    times = [str(p.page["fetched_at"]) for p in pages if isinstance(p, Published) and p.page.get("fetched_at")]
    return max(times, key=parse_time) if times else _NO_TIME


def _size(n: int) -> str:
    return f"{n} B" if n < 1024 else f"{n / 1024:.1f} KiB" if n < 1024 * 1024 else f"{n / 1024 / 1024:.1f} MiB"


def _downloads(page: Published) -> list[dict[str, Any]]:
    """Per dataset (file stem), its files in every format, linked from the root."""
    out: dict[str, dict[str, Any]] = {}
    for res in page.descriptor["resources"]:
        stem = res["path"].split("/")[-1].rsplit(".", 1)[0]
        item = out.setdefault(stem, {"name": stem, "title": res.get("title") or stem, "rows": None, "files": []})
        if "rows" in res:
            item["rows"] = res["rows"]
        item["files"].append(
            {"format": res["format"], "path": f"{page.slug}/{res['path']}", "size": _size(int(res["bytes"]))}
        )
    return list(out.values())


def _row(page: Listing) -> dict[str, Any]:
    if isinstance(page, Unlisted):
        return {"slug": page.slug, "name": page.display_name, "published": False, "reason": page.reason}
    latest = page.latest
    return {
        "slug": page.slug,
        "name": page.display_name,
        "published": True,
        "href": f"{page.slug}/{INDEX}",
        "feed": f"{page.slug}/{FEED}",
        "package": f"{page.slug}/{DESCRIPTOR}",
        "source": safe_url(page.page.get("canonical_url")),
        "title": page.page.get("title"),
        "ms_date": page.page.get("ms_date"),
        "checked": page.page.get("fetched_at"),
        "change_date": latest.updated[:10] if latest else None,
        "change": page.summary(latest) if latest else None,
        "runs": len(page.entries),
        "downloads": _downloads(page),
    }


def index_html(pages: list[Listing]) -> bytes:
    from ._site import templates

    env = templates()
    rows = [_row(p) for p in pages]
    html = env.get_template("catalogue.html.j2").render(
        title=TITLE,
        pages=rows,
        listed=sum(r["published"] for r in rows),
        schema_version=SCHEMA_VERSION,
        version=__version__,
        feed=FEED,
        package=DESCRIPTOR,
    )
    return html.encode("utf-8")


def render(pages: list[Listing], *, site_url: str | None = None) -> dict[str, bytes]:
    """Every root file, by name."""
    return {INDEX: index_html(pages), DESCRIPTOR: descriptor_bytes(pages), FEED: atom(pages, site_url=site_url)}
