"""``supportmatrix snapshots``: list the stored page versions, oldest first."""

from __future__ import annotations

import argparse

from . import _page

_COLUMNS = ("id", "fetched_at", "ms_date", "git_commit_id", "provenance", "status", "last_checked")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("snapshots", help="list the snapshots (page versions) in the store")
    _page.add(p, output=False)
    p.add_argument("--json", action="store_true", help="print the listing as JSON")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    _page.resolve(args)
    import json

    from ..store.snapshots import SnapshotStore

    rows = SnapshotStore(args.snapshots).listing()
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=1, sort_keys=True))
        return 0
    if not rows:
        print(f"no snapshots in {args.snapshots}")
        return 0
    table = [list(_COLUMNS)]
    for r in rows:
        cells = [str(r.get(c) or "-") for c in _COLUMNS]
        cells[3] = cells[3][:12]  # a commit id reads fine shortened, and keeps the table narrow
        if r.get("failed"):
            cells[5] += f" ({', '.join(r['failed'])})"
        table.append(cells)
    widths = [max(len(row[i]) for row in table) for i in range(len(_COLUMNS))]
    for row in table:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
    good = sum(1 for r in rows if r["status"] == "good")
    print(f"{len(rows)} snapshots ({good} good, {len(rows) - good} quarantined)")
    return 0
