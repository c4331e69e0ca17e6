"""``supportmatrix accept ID``: publish a quarantined snapshot a person has checked."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("accept", help="turn a quarantined snapshot into the good baseline and publish it")
    p.add_argument("ident", metavar="ID", help="the quarantined snapshot's id (a unique prefix will do)")
    p.add_argument("--snapshots", type=Path, default=Path("snapshots"), help="snapshot store (default: snapshots/)")
    p.add_argument("--output", type=Path, default=Path("output"), help="publication root (default: output/)")
    p.add_argument("--alert-config", type=Path, help="apprise config file (default: $SUPPORTMATRIX_ALERT_CONFIG)")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    from ..accept import AcceptOptions, accept

    accept(AcceptOptions(args.ident, args.snapshots, args.output, args.alert_config))
    return 0
