"""Small helpers shared by many test modules."""

from __future__ import annotations

import contextlib
import hashlib
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.fetch import Fetched
from pipeline.pages import DEFAULT

# the containers page (tests may name it; pipeline/ reads it from pipeline/pages/)
DEFAULT_URL = "https://learn.microsoft.com/en-us/azure/defender-for-cloud/support-matrix-defender-for-containers"


def page_dir(root: Path, slug: str = DEFAULT) -> Path:
    """One page's folder under a ``--snapshots``/``--output`` root: where the CLI reads and writes that
    page, and what the Python API (``RunOptions``, ``SnapshotStore``) is given directly."""
    return root / slug


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


@contextlib.contextmanager
def read_only(root: Path) -> Iterator[None]:
    """Make ``root`` and everything in it unwritable for the test's duration, then writable again.

    Without root privileges mode bits do it; root ignores them, so there the files and folders are
    made immutable (``chattr +i``, ext4/xfs). Skips when neither works (e.g. root on tmpfs)."""
    paths = [root, *sorted(root.rglob("*"))]
    modes = {p: p.stat().st_mode for p in paths}
    immutable = os.geteuid() == 0
    try:
        if immutable:
            done = subprocess.run(["chattr", "+i", *map(str, paths)], capture_output=True, check=False)
            if done.returncode != 0:
                pytest.skip(f"cannot make {root} read-only as root: chattr failed ({done.stderr.decode().strip()})")
        else:
            for p in reversed(paths):  # files first, then the folders holding them
                p.chmod(modes[p] & ~0o222)
        try:
            (root / ".probe").touch()
        except OSError:
            pass
        else:
            (root / ".probe").unlink()
            pytest.skip(f"cannot make {root} read-only here")
        yield
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", *map(str, paths)], capture_output=True, check=False)
        else:
            for p in paths:
                p.chmod(modes[p])
