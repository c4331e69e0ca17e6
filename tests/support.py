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


SAMPLE = Path(__file__).parent / "fixtures" / "learn_sample.html"
MALWARE_PREVIEW = "<td>Malware detection</td>\n<td>Detection of malware</td>\n<td>AKS nodes</td>\n<td>Preview</td>"


def revised(tmp_path: Path, name: str, *edits: tuple[str, str]) -> Path:
    """The sample page with edits (a new revision of it), written to tmp_path."""
    text = SAMPLE.read_text(encoding="utf-8")
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new)
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def promoted(tmp_path: Path) -> Path:
    """Malware detection on AKS nodes goes Preview -> GA, and the page's ms.date moves on."""
    return revised(
        tmp_path,
        "promoted.html",
        (MALWARE_PREVIEW, MALWARE_PREVIEW.replace("<td>Preview</td>", "<td>GA</td>")),
        ("2025-03-30", "2025-04-15"),
    )
