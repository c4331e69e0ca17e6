"""``supportmatrix pages``: the pages the pipeline tracks (slug and display name), for people and
for the scheduled workflow's matrix."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..pages import PageSpec

OUTCOME_FILE = "outcome.env"  # what each page's refresh job uploads, as artifact outcome-<slug>


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("pages", help="list the pages the pipeline tracks")
    how = p.add_mutually_exclusive_group()
    how.add_argument("--json", action="store_true", help="print [{slug, display_name}, ...] as JSON")
    how.add_argument(
        "--github-output", action="store_true", help="print $GITHUB_OUTPUT lines: slugs=[...] (the refresh matrix)"
    )
    p.add_argument(
        "--outcomes",
        type=Path,
        metavar="DIR",
        help="with --github-output: DIR/outcome-<slug>/outcome.env per page job; adds changed, health and missing",
    )
    p.set_defaults(func=main)


def specs() -> tuple[PageSpec, ...]:
    from ..pages import all_pages

    return all_pages()


def main(args: argparse.Namespace) -> int:
    import json

    from ..errors import UsageError
    from ..workflow import fanout

    pages = specs()
    if args.outcomes is not None and not args.github_output:
        raise UsageError("--outcomes goes with --github-output")
    if args.json:
        print(json.dumps(fanout.listing(pages), ensure_ascii=False, indent=1))
    elif args.github_output:
        outcomes = _outcomes(args.outcomes, [p.slug for p in pages]) if args.outcomes is not None else None
        print(fanout.github_outputs(pages, outcomes), end="")
    else:
        width = max((len(p.slug) for p in pages), default=0)
        for p in pages:
            print(f"{p.slug:<{width}}  {p.display_name}")
    return 0


def _outcomes(folder: Path, slugs: list[str]) -> dict[str, dict[str, str]]:
    from ..workflow.fanout import parse_outcome

    out = {}
    for slug in slugs:
        path = folder / f"outcome-{slug}" / OUTCOME_FILE
        try:
            out[slug] = parse_outcome(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            continue  # that page's job never got as far as its outcome: reported as missing
        except (OSError, UnicodeDecodeError) as exc:
            from ..errors import UsageError

            raise UsageError(f"cannot read {path}: {exc}") from exc
    return out
