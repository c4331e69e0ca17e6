"""``supportmatrix run``: the main job."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..fetch import DEFAULT_URL


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("run", help="fetch, extract, validate, snapshot, diff, publish and alert")
    p.add_argument("--source", default=DEFAULT_URL, help="page URL or local HTML file (default: the Learn page)")
    p.add_argument("--snapshots", type=Path, default=Path("snapshots"), help="snapshot store (default: snapshots/)")
    p.add_argument("--output", type=Path, default=Path("output"), help="publication root (default: output/)")
    p.add_argument(
        "--require-live", action="store_true", help="fail instead of rebuilding from a snapshot when offline"
    )
    p.add_argument("--force", action="store_true", help="publish even when validation fails (recorded, loudly)")
    p.add_argument(
        "--alert-config",
        type=Path,
        help="apprise config file with alert targets (default: $SUPPORTMATRIX_ALERT_CONFIG)",
    )
    p.add_argument(
        "--lock-timeout",
        type=float,
        help="seconds to wait while another run holds the store (default: $SUPPORTMATRIX_LOCK_TIMEOUT or 300)",
    )
    p.add_argument("--fetched-at", help=argparse.SUPPRESS)
    p.add_argument("--provenance", choices=("fetched", "file", "reconstructed", "git"), help=argparse.SUPPRESS)
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    from ..run import RunOptions, run

    run(
        RunOptions(
            source=args.source,
            snapshots=args.snapshots,
            output=args.output,
            require_live=args.require_live,
            force=args.force,
            fetched_at=args.fetched_at,
            provenance=args.provenance,
            alert_config=args.alert_config,
            lock_timeout=args.lock_timeout,
        )
    )
    return 0
