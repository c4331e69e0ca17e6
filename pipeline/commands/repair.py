"""``supportmatrix repair``: finish an interrupted run and rebuild the change history (and, when
damaged or asked, the alert state) from the snapshots."""

from __future__ import annotations

import argparse

from . import _page


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("repair", help="rebuild the change history (and a damaged alert state) from the snapshots")
    _page.add(p, output=False)
    p.add_argument(
        "--alerts",
        action="store_true",
        help="also rebuild alerts-state.json (the latest move's changes become pending again)",
    )
    p.add_argument("--lock-timeout", type=float, help="seconds to wait for a run in progress (default: 300)")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    _page.resolve(args)
    import sys

    from ..run import RunOptions, _hold
    from ..store.recovery import repair
    from ..store.runlock import held
    from ..store.snapshots import SnapshotStore

    opts = RunOptions(snapshots=args.snapshots)
    with held(args.snapshots, args.lock_timeout):
        # a move repair finishes holds its changes for alerting, as the run it finishes would have:
        # the next run (or accept) sends them
        for line in repair(SnapshotStore(args.snapshots), alerts=args.alerts, hold=lambda c: _hold(opts, c)):
            print(line, file=sys.stderr)
    return 0
