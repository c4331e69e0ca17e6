"""A real git repository in a temporary folder, built from the corpus markdown (tests and bench of backfill)."""

from __future__ import annotations

import csv
import os
import subprocess
from pathlib import Path

from tests.corpus import CATALOGUE, manifest, markdown_text


def git(repo: Path, *args: str, when: str | None = None) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "docs", "GIT_AUTHOR_EMAIL": "docs@example.com"}
    env.update(GIT_COMMITTER_NAME="docs", GIT_COMMITTER_EMAIL="docs@example.com")
    if when:
        env.update(GIT_AUTHOR_DATE=when, GIT_COMMITTER_DATE=when)
    done = subprocess.run(["git", "-C", str(repo), *args], env=env, check=True, capture_output=True, text=True)
    return done.stdout.strip()


def init(repo: Path) -> Path:
    repo.mkdir(parents=True)
    git(repo, "init", "-q", "-b", "main")
    return repo


def commit(repo: Path, path: str, text: str, when: str, previous_path: str | None = None) -> str:
    """Commit ``text`` at ``path`` (``git mv`` from ``previous_path`` first when the name changed)."""
    if previous_path and previous_path != path:
        git(repo, "mv", previous_path, path)
    (repo / path).parent.mkdir(parents=True, exist_ok=True)
    (repo / path).write_text(text, encoding="utf-8")
    git(repo, "add", path)
    git(repo, "commit", "-q", "--allow-empty", "-m", f"update {Path(path).name}", when=when)
    return git(repo, "rev-parse", "HEAD")


def commit_corpus(repo: Path, limit: int | None = None) -> dict[str, dict[str, str]]:
    """Every corpus version (or the first ``limit``) committed in date order at its path (``git mv`` at
    the rename), with the manifest's commit times; returns test commit -> manifest row."""
    init(repo)
    commits: dict[str, dict[str, str]] = {}
    previous = None
    for row in manifest()[:limit]:
        sha = commit(repo, row["path_in_repo"], markdown_text(row["file"][:-3]), row["committed_at_utc"], previous)
        commits[sha] = row
        previous = row["path_in_repo"]
    return commits


def commit_catalogue(repo: Path, folder: str) -> int:
    """Every version of a sibling page (../shared/catalogue/<folder>/markdown) committed in date order at its
    path, with the manifest's commit times; returns how many."""
    init(repo)
    with open(CATALOGUE / folder / "markdown" / "manifest.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    previous = None
    for row in rows:
        text = (CATALOGUE / folder / "markdown" / row["file"]).read_text(encoding="utf-8")
        commit(repo, row["path_in_repo"], text, row["committed_at_utc"], previous)
        previous = row["path_in_repo"]
    return len(rows)
