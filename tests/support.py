"""Small helpers shared by many test modules."""

from __future__ import annotations

import hashlib
from pathlib import Path

from pipeline.fetch import Fetched


def tree_digest(root: Path) -> dict[str, str]:
    """Every file under root with its sha256: 'byte-identical' made checkable."""
    if not root.exists():
        return {}
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def local_fetched(body: bytes, *, source: str, fetched_at: str, provenance: str = "file") -> Fetched:
    """A page that was read, not fetched over HTTP (no status, no validators)."""
    return Fetched(source, body, None, fetched_at, None, None, None, provenance)
