"""What an alert says (pure: no I/O, no clock; times are passed in).

The change lines, their grouping and the title come from :mod:`pipeline.diff.summary`
(the one place changes are put into words); this module adds what only an
alert needs: the page's ms.date, links, and the health messages. The markdown
body is also fit to be a GitHub issue body.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..diff import summary
from ..diff.summary import md_escape

if TYPE_CHECKING:
    import pandas as pd

LIMIT = 30  # change lines in one message; chat services cut long posts, the published changelog has all


@dataclass(frozen=True)
class Message:
    title: str
    markdown: str
    text: str
    notify_type: str = "info"  # apprise NotifyType: info, success, warning, failure


def _link(label: str, url: str) -> str:
    target = url.replace(" ", "%20").replace("(", "%28").replace(")", "%29").replace("<", "%3C").replace(">", "%3E")
    return f"[{md_escape(label)}]({target})"


# -- support changes ------------------------------------------------------------


def change_message(
    changes: pd.DataFrame, *, page_url: str, changes_url: str, limit: int = LIMIT, page: str | None = None
) -> Message:
    """One message for a set of changes (one run's, plus any still pending from earlier runs)."""
    dates = _ms_dates(changes)
    markdown = [
        summary.summary_markdown(changes, limit=limit).rstrip(),
        "",
        f"Page ms.date: {md_escape(dates or 'unknown')}",
        "",
        f"{_link('The Learn page', page_url)} · {_link('All published changes', changes_url)}",
    ]
    text = [
        _text_body(changes, limit),
        "",
        f"Page ms.date: {dates or 'unknown'}",
        f"The Learn page: {page_url}",
        f"All published changes: {changes_url}",
    ]
    high = "severity" in changes.columns and bool((changes["severity"] == "high").any())
    return Message(
        summary.title(changes, page), "\n".join(markdown) + "\n", "\n".join(text) + "\n", "warning" if high else "info"
    )


def _text_body(changes: pd.DataFrame, limit: int) -> str:
    """The plain-text groups (without the title line, which travels as the title), cut after ``limit``."""
    ordered = [r for g in summary.group(changes) for r in g.changes]
    shown = ordered[:limit]
    body = summary.summary_text(shown).partition("\n")[2].strip("\n")
    left = len(ordered) - len(shown)
    return f"{body}\n... and {left} more" if left else body


def _ms_dates(changes: pd.DataFrame) -> str:
    """The page's ms.date of the revision(s) announced: "2026-05-01 (was 2026-04-01)"."""
    if "new_ms_date" not in changes.columns or not len(changes):
        return ""
    ordered = changes.sort_values([c for c in ("detected_at", "new_revision") if c in changes.columns], kind="stable")
    new = [d for d in dict.fromkeys(ordered["new_ms_date"].tolist()) if isinstance(d, str) and d]
    if not new:
        return ""
    old = ordered["old_ms_date"].iloc[0] if "old_ms_date" in ordered.columns else None
    shown = ", then ".join(new)
    return f"{shown} (was {old})" if isinstance(old, str) and old and old != new[0] else shown


# -- pipeline health ---------------------------------------------------------------


def health_message(
    *,
    stage: str,
    reason: str,
    since: str,
    snapshot: str | None = None,
    quarantined: bool = False,
    page: str | None = None,
) -> Message:
    title = f"{summary.page_title(page)}: pipeline health: {stage} failed"
    facts = [
        ("Stage", stage),
        ("Reason", reason),
        ("Failing since", since),
    ]
    if snapshot:
        facts.append(("Page snapshot", f"{snapshot}{' (quarantined for inspection)' if quarantined else ''}"))
    lead = (
        f"The support-matrix pipeline failed at the {stage} stage. Nothing was published and no "
        "support-change alert was sent: this is not a change in support."
    )
    tail = "This is sent once per distinct failure; a recovery message follows when a run succeeds again."
    return _facts_message(title, lead, facts, tail, "failure")


def recovered_message(*, stage: str, reason: str, since: str, now: str, page: str | None = None) -> Message:
    title = f"{summary.page_title(page)}: pipeline health: recovered"
    lead = f"The support-matrix pipeline is healthy again: a run succeeded at {now}."
    facts = [("Was failing since", since), ("Stage", stage), ("Reason", reason)]
    return _facts_message(title, lead, facts, "", "success")


def test_message(*, now: str, targets: list[str], page: str | None = None) -> Message:
    title = f"{summary.page_title(page)}: test alert"
    lead = "A test message from python -m pipeline alert --test: this target receives the support-change alerts."
    return _facts_message(title, lead, [("Sent at", now), ("Targets", ", ".join(targets))], "", "info")


def _facts_message(title: str, lead: str, facts: list[tuple[str, str]], tail: str, kind: str) -> Message:
    markdown = [md_escape(lead), ""]
    markdown += [f"- **{label}:** {md_escape(value)}" for label, value in facts]
    text = [lead, ""] + [f"{label}: {value}" for label, value in facts]
    if tail:
        markdown += ["", md_escape(tail)]
        text += ["", tail]
    return Message(title, "\n".join(markdown) + "\n", "\n".join(text) + "\n", kind)
