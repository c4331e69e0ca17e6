"""Read a file's history from a local git clone (I/O at the edge: runs ``git``).

``git log --follow`` walks renames (the article was first named
``supported-machines-endpoint-solutions-clouds-containers.md``); one
``git cat-file --batch`` process then reads every version's bytes, so a
history of hundreds of versions costs two git processes, not hundreds.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

from ..errors import UsageError
from ._revisions import Version, utc_iso

_RECORD = "\x1e"
_FIELD = "\x1f"
_GITHUB_REMOTE = re.compile(r"github\.com[:/](?P<slug>[\w.-]+/[\w.-]+?)(?:\.git)?/?$")


def _git(clone: Path, args: Sequence[str], stdin: bytes | None = None) -> bytes:
    exe = shutil.which("git")
    if exe is None:
        raise UsageError("git is not installed; backfill from local clones needs it (or use --github)")
    proc = subprocess.run([exe, "-C", str(clone), *args], input=stdin, capture_output=True, check=False)
    if proc.returncode != 0:
        reason = " ".join(proc.stderr.decode("utf-8", "replace").split()) or f"exit code {proc.returncode}"
        raise UsageError(f"git {args[0]} failed in {clone}: {reason}")
    return proc.stdout


def github_slug(clone: Path) -> str | None:
    """OWNER/REPO of the clone's ``origin`` when it is a GitHub remote."""
    try:
        url = _git(clone, ["remote", "get-url", "origin"]).decode().strip()
    except UsageError:
        return None
    match = _GITHUB_REMOTE.search(url)
    return match["slug"] if match else None


def file_history(clone: Path, paths: Sequence[str]) -> list[Version]:
    """Every version of the file (under any of ``paths``, following renames) in ``clone``, oldest first.

    Commits that delete the file carry no version; a commit reached through two
    of the paths (``--follow`` from the new name also walks the old one) counts once.
    """
    clone = Path(clone)
    if not clone.is_dir():
        raise UsageError(f"--git-repo {clone}: not a directory")
    _git(clone, ["rev-parse", "--git-dir"])
    slug = github_slug(clone)
    found: dict[str, tuple[str, str, str]] = {}  # commit -> (committed_at, path, subject)
    for path in paths:
        for commit, committed_at, file_path, subject in _log(clone, path):
            found.setdefault(commit, (committed_at, file_path, subject))
    if not found:
        return []
    ordered = sorted(found.items(), key=lambda item: item[1][0])  # stable: git's order breaks ties
    texts = _read_blobs(clone, [(commit, path) for commit, (_, path, _) in ordered])
    return [
        Version(commit, at, path, slug, str(clone), text, subject)
        for (commit, (at, path, subject)), text in zip(ordered, texts)
        if text is not None
    ]


def _log(clone: Path, path: str) -> list[tuple[str, str, str, str]]:
    out = _git(
        clone,
        ["log", "--follow", "--name-status", f"--format={_RECORD}%H{_FIELD}%cI{_FIELD}%s", "--", path],
    ).decode("utf-8", "replace")
    entries = []
    for record in out.split(_RECORD)[1:]:
        header, _, changes = record.partition("\n")
        commit, committed_at, subject = header.split(_FIELD, 2)
        status = [line.split("\t") for line in changes.splitlines() if "\t" in line]
        if not status or status[-1][0].startswith("D"):
            continue  # a deletion, or a merge git shows no change for
        entries.append((commit, utc_iso(committed_at), status[-1][-1], subject))
    entries.reverse()  # oldest first, so a stable sort keeps git's order for equal times
    return entries


def _read_blobs(clone: Path, wanted: Sequence[tuple[str, str]]) -> list[str | None]:
    request = "".join(f"{commit}:{path}\n" for commit, path in wanted).encode("utf-8")
    out = _git(clone, ["cat-file", "--batch"], stdin=request)
    texts: list[str | None] = []
    pos = 0
    for _ in wanted:
        end = out.index(b"\n", pos)
        header = out[pos:end].decode("utf-8", "replace").split(" ")
        pos = end + 1
        if header[-1] == "missing" or len(header) < 3 or header[1] != "blob":
            texts.append(None)
            continue
        size = int(header[2])
        texts.append(out[pos : pos + size].decode("utf-8", "replace"))
        pos += size + 1
    return texts
