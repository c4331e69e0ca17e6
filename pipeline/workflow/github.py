"""Tell GitHub what changed, through the ``gh`` CLI: one issue per label, one release per page revision.

The scheduled workflow calls these through ``pipeline report issue`` and
``pipeline report release`` so the "find the open issue, else open one" and
"is this tag taken" decisions are Python with tests instead of shell in YAML.
``gh`` reads its token from ``GH_TOKEN`` (the workflow's ``github.token``).
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import PublishError

LABELS = {
    "support-change": ("0e8a16", "The support matrix changed"),
    "pipeline-health": ("d93f0b", "The scheduled refresh needs a person"),
}


@dataclass(frozen=True)
class Result:
    code: int
    stdout: str
    stderr: str


Runner = Callable[[Sequence[str], str | None], Result]


def gh(args: Sequence[str], stdin: str | None = None) -> Result:
    """Run ``gh ARGS`` (stdin optional) and return its exit code and output."""
    exe = shutil.which("gh")
    if exe is None:
        raise PublishError("the gh CLI is not installed (https://cli.github.com); GitHub steps need it")
    proc = subprocess.run([exe, *args], input=stdin, capture_output=True, text=True, check=False, timeout=120)
    return Result(proc.returncode, proc.stdout, proc.stderr)


def _check(result: Result, what: str) -> str:
    if result.code != 0:
        reason = " ".join(result.stderr.split()) or f"exit code {result.code}"
        raise PublishError(f"gh could not {what}: {reason}")
    return result.stdout.strip()


def upsert_issue(label: str, title: str, body: str, *, marker: str | None = None, run: Runner = gh) -> str:
    """Comment on the open issue labelled ``label``, or open one: never one issue per run. With ``marker``
    (a line the body carries, naming the run's announcement), an issue that already carries it in its body
    or a comment gets nothing: a re-run of the job announces nothing twice."""
    color, description = LABELS.get(label, ("ededed", ""))
    # --force makes this idempotent: it creates the label or updates it in place
    _check(run(["label", "create", label, "--color", color, "--description", description, "--force"], None), "label")
    found = _check(
        run(
            [
                "issue",
                "list",
                "--label",
                label,
                "--state",
                "open",
                "--limit",
                "1",
                "--json",
                "number",
                "--jq",
                ".[].number",
            ],
            None,
        ),
        f"list open {label} issues",
    )
    if found:
        number = found.split()[0]
        if marker is not None:
            texts = _check(
                run(["issue", "view", number, "--json", "body,comments", "--jq", ".body, .comments[].body"], None),
                f"read issue #{number}",
            )
            if marker in texts:
                return f"issue #{number} already has this announcement; nothing to do"
        _check(run(["issue", "comment", number, "--body-file", "-"], body), f"comment on issue #{number}")
        return f"commented on issue #{number}"
    url = _check(
        run(["issue", "create", "--title", title, "--label", label, "--body-file", "-"], body), "open an issue"
    )
    return f"opened {url}"


def release_notes(tag: str, *, run: Runner = gh) -> str | None:
    """The notes of release ``tag``, or None when there is no such release."""
    result = run(["release", "view", tag, "--json", "body", "--jq", ".body"], None)
    if result.code == 0:
        return result.stdout
    if "not found" in result.stderr.lower():
        return None
    _check(result, f"look up release {tag}")
    return None  # pragma: no cover - _check raised


def create_release(
    tags: Sequence[str],
    title: str,
    notes: str,
    files: Sequence[Path],
    *,
    target: str | None = None,
    marker: str | None = None,
    run: Runner = gh,
) -> str:
    """Create a release under the first free tag of ``tags``; a no-op when all are taken, or when one of
    them already carries ``marker`` in its notes (a re-run: this very revision's release exists)."""
    for tag in tags:
        existing = release_notes(tag, run=run)
        if existing is not None and marker is not None and marker in existing:
            return f"release {tag} already exists; nothing to do"
        if existing is not None:
            continue
        args = ["release", "create", tag, *(str(f) for f in files), "--title", title, "--notes-file", "-"]
        if target:
            args += ["--target", target]
        url = _check(run(args, notes), f"create release {tag}")
        return f"released {tag}: {url}"
    return f"release {tags[-1]} already exists; nothing to do"
