"""``supportmatrix alert``: show, test or retry the change alerts by hand.

alert --dry-run   print exactly what would be sent (title, body, masked targets), send nothing
alert --test      send a test message to every target (exit 8 if one fails)
alert             send the changes still pending delivery now (a run does this too)
"""

from __future__ import annotations

import argparse
from pathlib import Path

from . import _page


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("alert", help="preview (--dry-run), test (--test) or retry pending change alerts")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--dry-run", action="store_true", help="print what would be sent (targets masked); send nothing")
    mode.add_argument("--test", action="store_true", help="send a test message to every configured target")
    _page.add(p)
    p.add_argument(
        "--alert-config",
        type=Path,
        help="apprise config file with the targets (default: $SUPPORTMATRIX_ALERT_CONFIG; "
        "URLs also come from $SUPPORTMATRIX_ALERT_URLS)",
    )
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    _page.resolve(args)
    from .. import alerts
    from ..store.snapshots import SnapshotStore

    if args.test:
        print(alerts.send_test(config=args.alert_config).line)
        return 0
    latest = SnapshotStore(args.snapshots).latest_good()
    links = alerts.links(latest.meta if latest else None, args.output)
    if args.dry_run:
        print(alerts.preview(snapshots=args.snapshots, links=links, config=args.alert_config), end="")
        return 0
    outcome = alerts.retry_pending(snapshots=args.snapshots, links=links, config=args.alert_config)
    print(outcome.line or "alerts: nothing pending")
    return 0
