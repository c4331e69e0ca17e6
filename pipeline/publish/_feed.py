"""The Atom feed of changes (one entry per run that found changes) and the markdown changelog.

Deterministic: entry ids are tag: URIs made from revision ids, every time in
the feed comes from the history (``detected_at``), and the feed's ``updated``
is the newest entry's, so an unchanged history publishes the same bytes.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from .. import __version__
from ..diff import summary
from ..errors import PublishError

if TYPE_CHECKING:
    import pandas as pd

    from ..pages import PageSpec

TAG = "tag:supportmatrix,2025:"  # RFC 4151; "supportmatrix" is a (single-label) DNS name, the date fixed forever


def _spec(revision: dict[str, Any]) -> PageSpec:
    from ..steps import page_of

    return page_of(revision)


def runs(history: pd.DataFrame) -> list[tuple[str, str, pd.DataFrame]]:
    """(detected_at, new_revision, its changes) per run, newest first; a change reverted within the
    transient window shows as its one ``transient`` line (:func:`pipeline.diff.transient.collapse`)."""
    from ..diff.transient import collapse

    history = collapse(history)
    if history.empty:
        return []
    out = [
        (str(detected), str(revision), group.reset_index(drop=True))
        for (detected, revision), group in history.groupby(["detected_at", "new_revision"], sort=True)
    ]
    return out[::-1]


def parse_time(text: str) -> datetime:
    """ISO-8601 (date or date-time, ``Z`` allowed) as an aware UTC datetime."""
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise PublishError(f"changes: {text!r} is not an ISO-8601 time") from exc
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(value: object) -> str:
    """``value`` as text XML 1.0 can carry: a stray control character in the page must not break the feed or page."""
    return _NOT_XML.sub("", str(value))


def anchor(new_revision: str, detected_at: str) -> str:
    """The id of a run's block in index.html (a revision can be seen twice: the time tells them apart)."""
    return f"run-{new_revision}-{re.sub(r'[^0-9TZ]', '', detected_at)}"


def entry_id(new_revision: str, detected_at: str, page: str) -> str:
    """One entry per run of a page (slug): the revision and when it was seen (a page can return to an
    earlier revision)."""
    when = re.sub(r"[^0-9TZ]", "", detected_at)
    return f"{TAG}{page}/revision/{new_revision}/{when}"


def title(changes: pd.DataFrame, page: str | None = None) -> str:
    return summary.title(changes, page)


def new_feed(feed_id: str, title: str, subtitle: str, *, site: str | None, self_path: str) -> Any:
    """A feedgen ``FeedGenerator`` with what every feed here says of itself: id, title, subtitle, author,
    generator, language and, on a site, its ``self`` and ``alternate`` links (``self_path`` under ``site``)."""
    from feedgen.feed import FeedGenerator

    fg = FeedGenerator()
    fg.id(feed_id)
    fg.title(title)
    fg.subtitle(subtitle)
    fg.author({"name": "supportmatrix"})
    fg.generator("supportmatrix", version=__version__)
    fg.language("en")
    if site:
        fg.link(href=f"{site}/{self_path}", rel="self", type="application/atom+xml")
        fg.link(href=f"{site}/", rel="alternate", type="text/html")
    return fg


def atom(
    history: pd.DataFrame,
    revision: dict[str, Any],
    *,
    site_url: str | None = None,
    scope: tuple[str, str] | None = None,
    on_site: set[tuple[str, str]] | None = None,
) -> bytes:
    """The feed of ``history``; ``scope`` (slug, environment) makes the per-environment feed at
    ``api/v1/feeds/<slug>.atom``.  Entries link to their run on the site (``on_site``: the (detected_at,
    revision) runs index.html lists; by default the newest of ``history``) or else to that day's changes
    in the JSON API."""
    page_url = safe_url(revision.get("canonical_url"))
    site = site_url.rstrip("/") if site_url else None
    spec = _spec(revision)
    subtitle = "Typed support changes detected in the Microsoft Learn support matrix page."
    if scope:
        title_text, self_path = f"{spec.alert_title}: changes on {scope[1]}", f"api/v1/feeds/{scope[0]}.atom"
        fg = new_feed(f"{spec.feed_id}/{scope[0]}", title_text, subtitle, site=site, self_path=self_path)
    else:
        fg = new_feed(spec.feed_id, f"{spec.alert_title}: changes", subtitle, site=site, self_path="changes.atom")
    if not site and page_url:
        fg.link(href=page_url, rel="alternate", type="text/html")
    entries = runs(history)
    on_site = shown_on_site(history) if on_site is None else on_site
    for detected_at, new_revision, changes in entries:
        first = changes.iloc[0]
        entry = fg.add_entry(order="append")
        entry.id(entry_id(new_revision, detected_at, spec.slug))
        entry.title(xml_text(title(changes, spec.alert_title)))
        entry.updated(parse_time(detected_at))
        entry.published(parse_time(detected_at))
        # one link per entry: feedgen writes entry links without rel (so every one is "alternate", and
        # Atom allows one per type); the Learn page is linked from the content
        if site and (detected_at, new_revision) in on_site:
            entry.link(href=f"{site}/#{anchor(new_revision, detected_at)}")
        elif site:
            entry.link(href=f"{site}/api/v1/changes/{detected_at[:10]}.json")
        elif page_url:
            entry.link(href=page_url)
        entry.content(_entry_html(changes, first, page_url), type="html")
    newest = entries[0][0] if entries else str(revision.get("fetched_at") or "1970-01-01T00:00:00Z")
    fg.updated(parse_time(newest))
    return bytes(fg.atom_str(pretty=True))


def shown_on_site(history: pd.DataFrame) -> set[tuple[str, str]]:
    """(detected_at, revision) of the runs index.html lists: the newest ``TIMELINE_RUNS``."""
    from ._site import TIMELINE_RUNS

    return {(d, r) for d, r, _ in runs(history)[:TIMELINE_RUNS]}


def _entry_html(changes: pd.DataFrame, first: pd.Series, page_url: str | None) -> str:
    from markupsafe import escape

    old_date, new_date = first.get("old_ms_date"), first.get("new_ms_date")
    items = "".join(
        f"<p><b>{escape(g.environment)}: {escape(g.label)}</b></p><ul>"
        + "".join(f"<li>{escape(c['summary'])}</li>" for c in g.changes)
        + "</ul>"
        for g in summary.group(changes)
    )
    if new_date and old_date and old_date != new_date:
        dates = f"Page date {escape(_text(old_date))} → {escape(_text(new_date))}. "
    else:
        dates = f"Page date {escape(_text(new_date))}. " if new_date else ""
    link = f'<a href="{escape(page_url)}">Read the support matrix on Microsoft Learn</a>.' if page_url else ""
    return xml_text(f"<p>{dates}{link}</p>{items}")


def _text(value: object) -> str:
    return "?" if value is None or value != value else str(value)  # NaN != NaN


def safe_url(value: object) -> str | None:
    """Only http(s) URLs from the page become links (a ``javascript:`` canonical would be script)."""
    text = str(value) if isinstance(value, str) else ""
    return text if text.startswith(("https://", "http://")) else None


def changelog(history: pd.DataFrame, revision: dict[str, Any] | None = None) -> str:
    from ..diff.transient import collapse

    page = _spec(revision).alert_title if revision is not None else None
    return summary.changelog_markdown(collapse(history), page=page)
