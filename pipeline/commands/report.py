"""``supportmatrix report WHAT``: the latest run's outcome, as the scheduled workflow needs it.

Text (stdout): ``commit-message``, ``step-summary``, ``issue-title``, ``issue-body``,
``health-body``, ``release-tag``, ``outputs`` (``key=value`` lines for ``$GITHUB_OUTPUT``).
GitHub (through ``gh``; ``--dry-run`` prints instead): ``issue --kind changes|health``
opens or comments on the one open issue with that label; ``release`` creates the
release of the page revision with the datasets attached.

Everything is read back from ``snapshots/`` and ``output/``, so it works offline,
after the fact, and the same on a laptop as in the workflow.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import _page

if TYPE_CHECKING:
    from ..workflow.report import RunReport

TEXTS = ("commit-message", "step-summary", "issue-title", "issue-body", "health-body", "release-tag", "outputs")
CHANGE_LABEL, HEALTH_LABEL = "support-change", "pipeline-health"


def register(sub: argparse._SubParsersAction) -> None:
    common = argparse.ArgumentParser(add_help=False)
    _page.add(common)
    common.add_argument(
        "--exit-code", type=int, help="the run's exit code, when known (5 = validation failed, other non-zero = failed)"
    )
    common.add_argument(
        "--site-url",
        help="where output/ is served (default: $SUPPORTMATRIX_SITE_URL, else GitHub Pages of $GITHUB_REPOSITORY)",
    )
    p = sub.add_parser("report", help="what the latest run did: commit message, step summary, issue, release")
    what = p.add_subparsers(dest="what", required=True, metavar="WHAT")
    helps = {
        "commit-message": "the commit message for the run's snapshots/ and output/ changes",
        "step-summary": "markdown for $GITHUB_STEP_SUMMARY",
        "issue-title": "the title of a support-change issue",
        "issue-body": "the change summary as a GitHub issue body (also the release notes)",
        "health-body": "the pipeline-health issue body for a validation failure",
        "release-tag": "the release tag: matrix-<ms.date of the page>",
        "outputs": "key=value lines for $GITHUB_OUTPUT (status, changed, n_changes, validation_failed, tag, ...)",
    }
    for name in TEXTS:
        q = what.add_parser(name, parents=[common], help=helps[name])
        if name == "release-tag":
            q.add_argument("--taken", action="append", default=[], metavar="TAG", help="a tag already in use")
        if name == "commit-message":
            q.add_argument(
                "--all-pages",
                action="store_true",
                help="one message for every page with a store under the roots (the publish job's one commit)",
            )
        q.set_defaults(func=main)
    q = what.add_parser("issue", parents=[common], help="open or comment on the issue for support changes or health")
    q.add_argument("--kind", choices=("changes", "health"), required=True)
    q.add_argument("--dry-run", action="store_true", help="print the title and body instead of calling gh")
    q.set_defaults(func=main)
    q = what.add_parser("release", parents=[common], help="create the GitHub release with the datasets attached")
    q.add_argument("--target", help="commit to tag (default: the repository's default branch)")
    q.add_argument("--dry-run", action="store_true", help="print the tag, files and notes instead of calling gh")
    q.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    from ..workflow import report as texts

    if getattr(args, "all_pages", False):
        print(_all_pages_message(args), end="")
        return 0
    _page.resolve(args)

    report = load(args.snapshots, args.output, exit_code=args.exit_code, site_url=args.site_url or _pages_url())
    if args.what == "issue":
        return _issue(report, args)
    if args.what == "release":
        return _release(report, args)
    render = {
        "commit-message": texts.commit_message,
        "step-summary": texts.step_summary,
        "issue-title": texts.issue_title,
        "issue-body": texts.issue_body,
        "health-body": texts.health_body,
        "outputs": texts.outputs,
    }
    if args.what == "release-tag":
        print(texts.release_tag(report, frozenset(args.taken)))
    else:
        print(render[args.what](report), end="")
    return 0


def _all_pages_message(args: argparse.Namespace) -> str:
    """Subject: each page's headline, by display name; body: each page's own message body, headed by it."""
    import copy

    from ..pages import all_pages
    from ..workflow import report as texts

    parts: list[tuple[str, str]] = []
    for spec in all_pages():
        if not (args.snapshots / spec.slug / "index.json").is_file():
            continue  # a page never run here has nothing in this commit
        page_args = copy.copy(args)
        _page.resolve(page_args, spec)
        report = load(page_args.snapshots, page_args.output, exit_code=args.exit_code)
        parts.append((spec.display_name, texts.commit_message(report)))
    if not parts:
        return "Refresh: no page has a snapshot store\n"
    subjects = [f"{name}: {message.partition(chr(10))[0].removeprefix('Refresh: ')}" for name, message in parts]
    bodies = [f"{name}\n\n{message.partition(chr(10))[2].strip()}" for name, message in parts]
    return "Refresh: " + "; ".join(subjects) + "\n\n" + "\n\n".join(b.strip() for b in bodies) + "\n"


def load(
    snapshots: Path, output: Path | None = None, *, exit_code: int | None = None, site_url: str | None = None
) -> RunReport:
    """The latest run's report from a snapshot store (index, check times, change history) and output/."""
    from ..store.snapshots import SnapshotStore
    from ..workflow.report import latest_run

    store = SnapshotStore(snapshots)
    entries = store.entries()
    history = store.changes() if entries else None
    published = _published_page(output) if output is not None else None
    return latest_run(
        entries, store.last_checked(), history, published=published, exit_code=exit_code, site_url=site_url
    )


def _published_page(output: Path) -> dict[str, Any] | None:
    """The ``page`` row of output/latest (which revision is published, and from which fetch)."""
    try:
        rows = json.loads((output / "latest" / "page.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return rows[0] if isinstance(rows, list) and rows and isinstance(rows[0], dict) else None


def _pages_url() -> str | None:
    """$SUPPORTMATRIX_SITE_URL (as alerts use it), else the GitHub Pages URL of $GITHUB_REPOSITORY."""
    from ..alerts import SITE_URL

    site = os.environ.get(SITE_URL, "").strip()
    if site:
        return site.rstrip("/") + "/"
    repository = os.environ.get("GITHUB_REPOSITORY", "")
    if "/" not in repository:
        return None
    owner, repo = repository.split("/", 1)
    host = f"{owner.lower()}.github.io"
    return f"https://{host}/" if repo.lower() == host else f"https://{host}/{repo}/"


def _issue(report: RunReport, args: argparse.Namespace) -> int:
    from ..workflow import report as texts
    from ..workflow.github import upsert_issue

    if args.kind == "changes":
        if not report.changed:
            print("no support changes in the latest run: no issue")
            return 0
        label, title, body = CHANGE_LABEL, texts.issue_title(report), texts.issue_body(report)
    else:
        if not report.validation_failed:
            print("the latest run passed validation: no health issue")
            return 0
        label, title, body = HEALTH_LABEL, texts.health_title(report), texts.health_body(report)
    mark = texts.marker(report) if args.kind == "changes" else None
    body = texts.marked(body, report) if mark is not None else body
    if args.dry_run:
        print(f"label: {label}\ntitle: {title}\n\n{body}", end="")
        return 0
    print(upsert_issue(label, title, body, marker=mark))
    return 0


def _release(report: RunReport, args: argparse.Namespace) -> int:
    from ..errors import PublishError
    from ..workflow import report as texts
    from ..workflow.github import create_release

    if not report.changed:
        print("no support changes in the latest run: no release")
        return 0
    files = sorted((args.output / "latest").glob("*.parquet"))
    if not files:
        raise PublishError(f"no datasets to attach in {args.output / 'latest'}")
    if (args.output / "datapackage.json").exists():
        files.append(args.output / "datapackage.json")
    tag = texts.release_tag(report)
    tags = [tag, texts.release_tag(report, frozenset({tag}))]
    title = f"{tag}: {texts.issue_title(report)}"
    mark = texts.marker(report)
    notes = texts.marked(texts.issue_body(report), report)
    if args.dry_run:
        print(f"tags: {' '.join(tags)}\ntitle: {title}\nfiles: {' '.join(str(f) for f in files)}\n\n{notes}", end="")
        return 0
    print(create_release(tags, title, notes, files, target=args.target, marker=mark))
    return 0
