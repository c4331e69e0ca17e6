"""What the latest run did, read back from the snapshot store, as the texts the scheduled job needs.

Pure: :func:`latest_run` takes the store's index entries, its ``last_checked``
map and the cumulative change history (a ``changes`` frame) and returns a
:class:`RunReport`; the renderers turn that into a commit message, a step
summary, issue bodies, a release tag and ``$GITHUB_OUTPUT`` lines. The change
texts themselves come from :mod:`pipeline.diff.summary`, so the commit, the issue
and the alert say the same thing. Reading files and calling GitHub happen in
``pipeline/commands/report.py`` and ``pipeline/workflow/github.py``.

Which run is "the latest": every run records when it saw a page
(``last_checked.json``); the entry seen last is the page of the latest run.
That run published a *new* revision when the entry was fetched at that check,
or, for a quarantined page released with ``--force`` (it keeps its first fetch
time), when ``output/latest/page.json`` shows it published then; otherwise it
saw an unchanged page (a rebuilt ``output/`` republishes an unchanged page with
today's fetch time: no new revision). Exit code 8 (alert targets unusable)
comes after publishing, so it reads like 0. The changes reported are the ones
the alerts tell: transient pairs collapsed, ``baseline`` records left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..errors import AlertError, ValidationFailed

if TYPE_CHECKING:
    import pandas as pd

NEW, UNCHANGED, QUARANTINED, FAILED, EMPTY = "new", "unchanged", "quarantined", "failed", "empty"
VALIDATION_EXIT_CODE = ValidationFailed.exit_code
ALERTS_EXIT_CODE = AlertError.exit_code
ISSUE_LIMIT = 200  # change lines in an issue body; GitHub caps a body at 65,536 characters
SUMMARY_LIMIT = 50  # change lines in the step summary and the commit body
_TAG_UNSAFE = re.compile(r"[^0-9A-Za-z._-]+")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_US_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


@dataclass(frozen=True)
class RunReport:
    status: str  # new, unchanged, quarantined, failed (a non-zero exit without a quarantine), empty
    checked_at: str | None = None
    snapshot: dict[str, Any] | None = None  # index entry of the page the latest run saw
    previous: dict[str, Any] | None = None  # the good snapshot before it
    changes: pd.DataFrame | None = None  # history rows whose new_revision is this run's snapshot
    exit_code: int | None = None
    site_url: str | None = None
    failed: list[str] = field(default_factory=list)  # failed expectations, when quarantined

    @property
    def n_changes(self) -> int:
        return 0 if self.changes is None else len(self.changes)

    @property
    def changed(self) -> bool:
        return self.n_changes > 0

    @property
    def baseline(self) -> bool:
        return self.status == NEW and self.previous is None

    @property
    def forced(self) -> bool:
        """Published although validation failed (``run --force``)."""
        return self.status == NEW and _forced(self.snapshot or {})

    @property
    def validation_failed(self) -> bool:
        if self.exit_code is not None and self.exit_code != 0:
            return self.exit_code == VALIDATION_EXIT_CODE
        return self.status == QUARANTINED


def latest_run(
    entries: list[dict[str, Any]],
    last_checked: dict[str, str],
    history: pd.DataFrame | None,
    *,
    published: dict[str, Any] | None = None,
    exit_code: int | None = None,
    site_url: str | None = None,
) -> RunReport:
    """The latest run's outcome from the store's index, its check times, the change history and the
    published ``page`` row (``output/latest/page.json``, when there is one)."""
    common: dict[str, Any] = {"exit_code": exit_code, "site_url": site_url}
    if not entries:
        return RunReport(FAILED if exit_code else EMPTY, **common)
    by_id = {e["id"]: e for e in entries}
    # (when seen, index position): the most recently seen page is the latest run's; ties go to the newer entry
    order = {e["id"]: i for i, e in enumerate(entries)}
    seen = sorted((t, order[i]) for i, t in last_checked.items() if i in by_id and t)
    if not seen:  # a store written before last_checked.json existed
        seen = [(str(e.get("fetched_at") or ""), i) for i, e in enumerate(entries)]
    checked_at, position = seen[-1]
    entry = entries[position]
    # the good page seen before it (a page that reverts to an earlier version compares with the one it replaced)
    earlier = [entries[i] for _, i in seen[:-1] if entries[i].get("status", "good") == "good" and i != position]
    common.update(checked_at=checked_at or None, snapshot=entry, previous=earlier[-1] if earlier else None)
    if entry.get("status") == QUARANTINED:
        failed = [str(f) for f in (entry.get("validation") or {}).get("failed", [])]
        return RunReport(QUARANTINED, failed=failed, **common)
    if exit_code == VALIDATION_EXIT_CODE:
        # the failing page is not in the index (e.g. a quarantined page seen again before a newer good one):
        # all that is known is that the newest page is the good one still published
        common.update(snapshot=None, previous=entry)
        return RunReport(QUARANTINED, **common)
    if exit_code and exit_code != ALERTS_EXIT_CODE:
        return RunReport(FAILED, **common)
    # exit 8 (alert targets unusable) comes after publishing: what the run recorded is new all the same,
    # and the next run sees an unchanged page, so it would never get its issue or release
    fetched_now = str(entry.get("fetched_at") or "") == checked_at
    # a page the page reverts to keeps its first fetch time: its changes are dated at this check
    recorded_now = _recorded_at(history, entry["id"], checked_at)
    # output/ shows the entry published at this check: a page released with --force (it keeps its first
    # fetch time). Any other page is republished with today's fetch time whenever output/ is rebuilt (a
    # new contract version, a deleted folder), which is no new revision
    published_now = _forced(entry) and bool(published) and (published or {}).get("sha256") == entry.get("sha256")
    published_now = published_now and (published or {}).get("fetched_at") == checked_at
    if not (fetched_now or recorded_now or published_now):
        return RunReport(UNCHANGED, **common)
    return RunReport(NEW, changes=_changes_of(history, entry["id"]), **common)


def _forced(entry: dict[str, Any]) -> bool:
    return entry.get("forced") is True or (entry.get("validation") or {}).get("success") is False


def _recorded_at(history: pd.DataFrame | None, ident: str, at: str) -> bool:
    if history is None or not len(history) or not at:
        return False
    return bool(((history["new_revision"] == ident) & (history["detected_at"] == at)).any())


def _changes_of(history: pd.DataFrame | None, ident: str) -> pd.DataFrame | None:
    """The history rows of the run that (last) reached revision ``ident``, as the alerts and the feed tell
    them: a change undone within the transient window is its one ``transient`` line, and bookkeeping
    records (``baseline``) are left out. A revision the page reverts to keeps the rows of its first visit
    too, with an older ``detected_at``."""
    from ..alerts import announceable

    if history is None or not len(history):
        return None
    rows = history[history["new_revision"] == ident]
    if len(rows) and rows["detected_at"].notna().any():
        rows = rows[rows["detected_at"] == rows["detected_at"].max()]
    return announceable(rows.reset_index(drop=True))


# -- texts ------------------------------------------------------------------
def headline(report: RunReport) -> str:
    """One line: what the latest run found."""
    if report.status == EMPTY:
        return "no snapshot yet"
    if report.status == FAILED:
        return f"the run failed (exit code {report.exit_code}); nothing new was published"
    if report.status == QUARANTINED:
        return "the page failed validation and was quarantined; nothing was published"
    if report.status == UNCHANGED:
        return "page unchanged"
    if report.changed:
        from ..diff.summary import count_phrase

        # the page's name is the repository's whole subject: a commit subject or table cell can skip it
        return count_phrase(report.changes)
    if report.baseline:
        return f"baseline snapshot {_id(report.snapshot)} ({_revision(report.snapshot)})"
    return f"page revised ({_revision(report.snapshot)}), no support changes"


def commit_message(report: RunReport) -> str:
    """Subject, blank line, body: ``git commit -F``."""
    checked = report.checked_at or "never"
    if report.status == UNCHANGED or (report.status == NEW and not report.changed and not report.baseline):
        subject = f"Refresh: no support changes (checked {checked})"
    else:
        subject = f"Refresh: {headline(report)}"
    body = []
    if report.status == NEW and report.changed:
        from ..diff.summary import summary_text

        # summary_text starts with the title, which is already the subject
        groups = summary_text(report.changes).partition("\n")[2].strip("\n")
        body.append(_truncate_lines(groups, SUMMARY_LIMIT))
    if report.forced:
        body.append("Published with --force although validation failed: " + (_failed_list(report) or "see the log"))
    if report.status == NEW and not report.changed and not report.baseline:
        body.append(f"The page was revised ({_revision(report.snapshot)}) but no support fact changed.")
    if report.status == QUARANTINED:
        body.append(f"Failed expectations: {_failed_list(report) or 'see the run log'}.")
    if report.snapshot is not None:
        body.append(_provenance(report))
    return subject + ("\n\n" + "\n\n".join(body) if body else "") + "\n"


def step_summary(report: RunReport) -> str:
    """Markdown for ``$GITHUB_STEP_SUMMARY``."""
    checked = "Last check that reached the page" if report.status == FAILED else "Checked at"
    rows = [("Result", headline(report)), (checked, report.checked_at or "never")]
    if report.snapshot is not None:
        rows.append(("Page revision", f"{_revision(report.snapshot)}, snapshot `{_id(report.snapshot)}`"))
    if report.previous is not None and report.status in (NEW, QUARANTINED):
        rows.append(("Previous revision", f"{_revision(report.previous)}, snapshot `{_id(report.previous)}`"))
    if report.exit_code:
        rows.append(("Exit code", str(report.exit_code)))
    if report.site_url:
        rows.append(("Datasets", report.site_url))
    lines = ["## Support matrix refresh", "", "| | |", "| --- | --- |"]
    lines += [f"| {k} | {_cell(v)} |" for k, v in rows]
    if report.changed:
        from ..diff.summary import summary_markdown

        lines += ["", "### Changes", "", summary_markdown(report.changes, limit=SUMMARY_LIMIT).rstrip()]
    if report.forced:
        lines += ["", f"> **Published with `--force`** although validation failed: {_failed_list(report)}"]
    if report.validation_failed:
        lines += ["", "### Failed expectations", ""] + (
            [f"- `{name}`" for name in report.failed] or ["- see the run log"]
        )
    return "\n".join(lines) + "\n"


def issue_title(report: RunReport) -> str:
    from ..diff.summary import title
    from ..steps import page_of

    return title(report.changes, page_of(report.snapshot).alert_title)


def issue_body(report: RunReport) -> str:
    """The change summary as a GitHub issue (or comment) body; also the release notes.

    It is the change alert's markdown (same words, ms.date and links as the alert people receive), then
    the revisions compared and where the datasets are.
    """
    from ..alerts import CHANGES_PAGE, Links, change_message
    from ..steps import page_of

    snap = report.snapshot or {}
    spec = page_of(snap)
    page = next((str(snap[k]) for k in ("canonical_url", "final_url") if snap.get(k)), spec.url)
    where = f"{spec.slug}/{CHANGES_PAGE}"
    changes_url = f"{report.site_url}{where}" if report.site_url else f"output/{where}"
    if report.changes is None:
        from ..diff import empty

        changes = empty()
    else:
        changes = report.changes
    alert = change_message(changes, links=Links(page, changes_url, spec.alert_title), limit=ISSUE_LIMIT)
    parts = [alert.markdown.rstrip(), "---", _provenance(report, markdown=True)]
    if report.site_url:
        site = f"{report.site_url}{spec.slug}/"  # the site serves the output root: the page has its folder
        parts.append(f"Datasets: {site}latest/ · schema: {site}datapackage.json · feed: {site}changes.atom")
    return "\n\n".join(parts) + "\n"


def health_title(report: RunReport) -> str:
    """The pipeline-health issue's title, naming the page (several pages share the label)."""
    from ..steps import page_of

    return f"Pipeline health: {page_of(report.snapshot).display_name} failed validation"


def health_body(report: RunReport) -> str:
    """The ``pipeline-health`` issue (or comment): why nothing was published, and what to do."""
    snap = report.snapshot
    where = f"snapshot `{_id(snap)}` ({_revision(snap)})" if snap else "the fetched page"
    lines = [
        f"The run that checked the page at {report.checked_at or 'an unknown time'} found that {where} "
        "fails validation. It was quarantined (`snapshots/quarantine/`), nothing was published, and the "
        "datasets stay at the last good revision"
        + (f" (snapshot `{_id(report.previous)}`, {_revision(report.previous)})." if report.previous else "."),
        "",
        "Failed expectations:",
        "",
    ]
    lines += [f"- `{name}`" for name in report.failed] or ["- (not recorded: see the run log)"]
    kind = str((snap or {}).get("failure_kind") or "")
    if kind == "drift":
        verdict = (snap or {}).get("source_agreement") or {}
        lines += [
            "",
            "Kind: **drift** (an unconfirmed restructure: the page differs a lot from the last good one, and its "
            f"authored source could not confirm it: {verdict.get('status', 'not checked')}).",
        ]
    elif kind:
        lines += ["", "Kind: **validity** (the page looks broken or is another article)."]
    ident = _id(snap) if snap else "ID"
    lines += [
        "",
        "What to do: compare the quarantined page with the last good one. If the page really changed shape, fix "
        "the extractor or the expectations; if the data is right, accept it: Actions → refresh → Run workflow "
        f"with **accept** = `{ident}` (`python -m pipeline accept {ident}`), which publishes it without "
        "refetching and records who accepted it. This issue collects one comment per failing run; close it when "
        "the pipeline is healthy again.",
    ]
    return "\n".join(lines) + "\n"


def marker(report: RunReport) -> str:
    """A line (an HTML comment: GitHub shows nothing) naming what the issue comment and the release announce:
    the page, the snapshot and the check that reached it. A re-run of the job finds it and posts nothing."""
    from ..steps import page_of

    return f"<!-- supportmatrix: {page_of(report.snapshot).slug} {_id(report.snapshot)} {report.checked_at or ''} -->"


def marked(text: str, report: RunReport) -> str:
    """``text`` ending with the report's :func:`marker` line."""
    return f"{text}\n{marker(report)}\n"


def release_tag(report: RunReport, taken: frozenset[str] = frozenset()) -> str:
    """``matrix-<ms.date>``; with the snapshot id appended when that tag is taken (two revisions, one date)."""
    snap = report.snapshot or {}
    date = _iso_date(str(snap.get("ms_date") or "")) or (report.checked_at or "")[:10] or "undated"
    tag = "matrix-" + _TAG_UNSAFE.sub("-", date).strip("-")
    return f"{tag}-{_id(snap)[:8]}" if tag in taken else tag


def outputs(report: RunReport) -> str:
    """``key=value`` lines for ``$GITHUB_OUTPUT`` (values are single tokens: safe to append)."""
    values = {
        "status": report.status,
        "exit_code": str(report.exit_code or 0),
        "changed": _bool(report.changed),
        "n_changes": str(report.n_changes),
        "validation_failed": _bool(report.validation_failed),
        "forced": _bool(report.forced),
        "baseline": _bool(report.baseline),
        "snapshot": _id(report.snapshot) if report.snapshot else "",
        "tag": release_tag(report) if report.snapshot else "",
    }
    return "".join(f"{k}={v}\n" for k, v in values.items())


# -- helpers ----------------------------------------------------------------
def _iso_date(text: str) -> str:
    """``2025-03-30`` from an ISO date/time or Learn's raw ``03/30/2025``; "" when neither."""
    if _ISO_DATE.match(text):
        return text[:10]
    us = _US_DATE.match(text)
    return f"{us[3]}-{int(us[1]):02d}-{int(us[2]):02d}" if us else ""


def _id(entry: dict[str, Any] | None) -> str:
    return str((entry or {}).get("id", ""))


def _revision(entry: dict[str, Any] | None) -> str:
    entry = entry or {}
    parts = [f"ms.date {entry.get('ms_date') or 'unknown'}"]
    if entry.get("git_commit_id"):
        parts.append(f"source commit {str(entry['git_commit_id'])[:7]}")
    return ", ".join(parts)


def _provenance(report: RunReport, *, markdown: bool = False) -> str:
    tick = "`" if markdown else ""
    snap = report.snapshot or {}
    line = f"Page revision: {_revision(snap)}, snapshot {tick}{_id(snap)}{tick}"
    if report.previous is not None and report.previous is not snap:
        line += f" (previous: {_revision(report.previous)}, snapshot {tick}{_id(report.previous)}{tick})"
    return line + f". Checked at {report.checked_at or 'unknown'}."


def _failed_list(report: RunReport) -> str:
    names = report.failed or [str(f) for f in ((report.snapshot or {}).get("validation") or {}).get("failed", [])]
    return ", ".join(names)


def _truncate_lines(text: str, limit: int) -> str:
    lines = text.rstrip("\n").splitlines()
    if len(lines) <= limit:
        return "\n".join(lines)
    return "\n".join([*lines[:limit], f"... and {len(lines) - limit} more lines"])


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _bool(value: bool) -> str:
    return "true" if value else "false"
