"""Every text rendering of changes, from one place (pure: records in, text out).

The diff command's printout, the published changelog, commit messages, the
GitHub step summary, alert bodies and issue bodies all use these, so a change
reads the same everywhere.

- :func:`group` orders changes by environment (the pages' environment order from
  ``pipeline/pages``, others A-Z, then page-wide) then by kind.
- :func:`title` is one line: "<the page's alert title>: 3 changes (2 promoted, 1 removed)".
- :func:`summary_text` is plain text: the title, then the groups (for terminals, e-mail, commit bodies).
- :func:`summary_markdown` is the groups as Markdown, without the title (callers pick their heading),
  truncated to ``limit`` bullet lines with "... and N more".
- :func:`changelog_markdown` is the whole history, newest revision first.
- :func:`commit_message` is the title, a blank line and the plain groups.

Changes may be given as a DataFrame in the ``changes`` schema or as a list of dicts.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..vocabulary import ENVIRONMENTS as ENVIRONMENT_ORDER

if TYPE_CHECKING:
    import pandas as pd

    Changes = pd.DataFrame | Sequence[Mapping[str, Any]]

PAGE_WIDE = "Page-wide"
KIND_ORDER = (
    "removed",
    "demoted",
    "narrowed",
    "moved",
    "promoted",
    "added",
    "extended",
    "state_changed",
    "changed",
    "attribute_changed",
    "note_changed",
    "footnote_changed",
)
KIND_LABELS = {
    "added": "Added",
    "removed": "Removed",
    "promoted": "Promoted",
    "demoted": "Demoted",
    "state_changed": "State changed",
    "note_changed": "Note changed",
    "attribute_changed": "Attribute changed",
    "footnote_changed": "Footnote changed",
    "moved": "Moved",
    "extended": "Extended",
    "narrowed": "Narrowed",
    "changed": "Changed",
}


@dataclass
class Group:
    environment: str  # canonical environment, or PAGE_WIDE
    kind: str
    changes: list[dict[str, Any]] = field(default_factory=list)

    @property
    def label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind.replace("_", " ").capitalize())


def records(changes: Changes | None) -> list[dict[str, Any]]:
    """Changes as plain dicts (nulls as None), whatever they were given as."""
    if changes is None:
        return []
    if hasattr(changes, "to_dict"):
        from ._common import plain

        return [{str(k): plain(v) for k, v in r.items()} for r in changes.to_dict("records")]
    return [dict(r) for r in changes]


def _env_rank(env: str) -> tuple[int, str]:
    if env in ENVIRONMENT_ORDER:
        return (ENVIRONMENT_ORDER.index(env), env)
    return (len(ENVIRONMENT_ORDER) + (1 if env == PAGE_WIDE else 0), env.casefold())


def _kind_rank(kind: str) -> tuple[int, str]:
    return (KIND_ORDER.index(kind) if kind in KIND_ORDER else len(KIND_ORDER), kind)


def group(changes: Changes | None) -> list[Group]:
    """Changes grouped by environment, then kind; within a group, by feature/subject."""
    groups: dict[tuple[str, str], Group] = {}
    for r in records(changes):
        env = r.get("environment") or PAGE_WIDE
        key = (env, str(r.get("kind")))
        groups.setdefault(key, Group(env, key[1])).changes.append(r)
    for g in groups.values():
        g.changes.sort(
            key=lambda r: tuple(str(r.get(c) or "") for c in ("feature", "resource", "platform", "subject", "summary"))
        )
    return [groups[k] for k in sorted(groups, key=lambda k: (_env_rank(k[0]), _kind_rank(k[1])))]


def counts(changes: Changes | None) -> list[tuple[str, int]]:
    """(kind, count), most frequent first (ties in kind order)."""
    tally = Counter(str(r.get("kind")) for r in records(changes))
    return sorted(tally.items(), key=lambda kv: (-kv[1], _kind_rank(kv[0])))


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _count_phrase(items: list[dict[str, Any]]) -> str:
    """ "3 changes (2 promoted, 1 removed)", with events (a baseline, a restructure, an accept, a transient
    change) counted apart: "2 changes (2 removed) and 1 event (1 accepted)", "no changes, 1 event (1 baseline)"."""
    from ..vocabulary import EVENT_KINDS

    support = [r for r in items if r.get("kind") not in EVENT_KINDS]
    events = [r for r in items if r.get("kind") in EVENT_KINDS]
    phrase = _tally(support, "change") if support else "no changes"
    if not events:
        return phrase
    return f"{phrase} and {_tally(events, 'event')}" if support else f"{phrase}, {_tally(events, 'event')}"


def _tally(items: list[dict[str, Any]], word: str) -> str:
    parts = ", ".join(f"{n} {kind.replace('_', ' ')}" for kind, n in counts(items))
    return f"{_plural(len(items), word)} ({parts})"


def page_title(page: str | None = None) -> str:
    """What texts call the page (its spec's ``alert_title``); the default page's when not given."""
    if page is not None:
        return page
    from ..pages import DEFAULT, get

    return get(DEFAULT).alert_title


def count_phrase(changes: Changes | None) -> str:
    """ "3 changes (2 promoted, 1 removed)", or "no changes": a title without the page's name."""
    return _count_phrase(records(changes))


def title(changes: Changes | None, page: str | None = None) -> str:
    return f"{page_title(page)}: {_count_phrase(records(changes))}"


def summary_text(changes: Changes | None) -> str:
    items = records(changes)
    lines = [title(items)]
    env = None
    for g in group(items):
        if g.environment != env:
            env = g.environment
            lines += ["", env]
        lines.append(f"  {g.label} ({len(g.changes)})")
        lines += [f"  - {r.get('summary')}" for r in g.changes]
    return "\n".join(lines) + "\n"


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|])")


def md_escape(text: Any) -> str:
    """Text that renders as itself in Markdown (and as no HTML)."""
    return _MD_SPECIAL.sub(r"\\\1", str(text))


def summary_markdown(changes: Changes | None, *, limit: int | None = None, level: int = 3) -> str:
    """The grouped changes as Markdown: a heading per environment (``level`` #s), a bold kind line,
    one bullet per change; at most ``limit`` bullets, then "... and N more"."""
    items = records(changes)
    if not items:
        return "No changes.\n"
    blocks: list[str] = []
    shown = 0
    env = None
    for g in group(items):
        if limit is not None and shown >= limit:
            break
        if g.environment != env:
            env = g.environment
            blocks.append(f"{'#' * level} {md_escape(env)}")
        bullets = []
        for r in g.changes:
            if limit is not None and shown >= limit:
                break
            bullets.append(f"- {md_escape(r.get('summary'))}")
            shown += 1
        blocks.append(f"**{g.label}** ({len(g.changes)})\n\n" + "\n".join(bullets))
    if shown < len(items):
        blocks.append(f"... and {len(items) - shown} more")
    return "\n\n".join(blocks) + "\n"


def commit_message(changes: Changes | None) -> str:
    text = summary_text(changes)
    head, _, rest = text.partition("\n")
    return f"{head}\n{rest}" if rest.strip() else head + "\n"


def _short(sha: Any) -> str:
    return str(sha)[:7] if sha else "unknown"


def changelog_markdown(
    history: Changes | None, *, limit_per_revision: int | None = None, page: str | None = None
) -> str:
    """The cumulative history as a changelog: one section per day of detection (UTC), newest first,
    and within a day one block per revision seen (its ms.date, source commit and detection time)."""
    items = records(history)
    lines = [f"# Changes to the {page_title(page)}", ""]
    if not items:
        lines.append("No changes recorded yet (the first run records a baseline).")
        return "\n".join(lines) + "\n"
    by_revision: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for r in items:
        by_revision.setdefault((str(r.get("detected_at") or ""), str(r.get("new_revision") or "")), []).append(r)
    by_day: dict[str, list[tuple[str, str]]] = {}
    for run in sorted(by_revision, reverse=True):
        by_day.setdefault(run[0][:10] or "undated", []).append(run)
    for day, day_runs in by_day.items():
        day_items = [r for run in day_runs for r in by_revision[run]]
        lines += [f"## {md_escape(day)}: {_count_phrase(day_items)}", ""]
        for detected, revision in day_runs:
            group_items = by_revision[(detected, revision)]
            first = group_items[0]
            facts = [f"detected {md_escape(detected)}", f"revision `{revision}`"]
            if first.get("new_ms_date"):
                facts.append(f"page date {md_escape(first.get('new_ms_date'))}")
            facts.append(f"source commit `{_short(first.get('new_git_commit_id'))}`")
            if first.get("old_revision"):
                facts.append(f"compared with `{first.get('old_revision')}`")
            if len(day_runs) > 1:
                lines += [f"### {md_escape(detected)}: {_count_phrase(group_items)}", ""]
            lines += [" · ".join(facts), ""]
            lines.append(
                summary_markdown(group_items, limit=limit_per_revision, level=4 if len(day_runs) > 1 else 3).rstrip(
                    "\n"
                )
            )
            lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"
