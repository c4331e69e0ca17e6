"""``supportmatrix accept ID``: publish a quarantined snapshot a person has checked."""

from __future__ import annotations

import argparse
from pathlib import Path

from . import _page


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("accept", help="turn a quarantined snapshot into the good baseline and publish it")
    p.add_argument("ident", metavar="ID", help="the quarantined snapshot's id (a unique prefix will do)")
    _page.add(p)
    p.add_argument("--alert-config", type=Path, help="apprise config file (default: $SUPPORTMATRIX_ALERT_CONFIG)")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    _page.resolve(args)
    from ..accept import AcceptOptions, accept

    accept(AcceptOptions(args.ident, args.snapshots, args.output, args.alert_config))
    _page.catalogue(args.output_root)
    return 0
