"""The scheduled workflow's fan-out: one job per page, then which pages need a release, an issue or
a health issue (pure: page specs and outcome texts in, ``$GITHUB_OUTPUT`` lines out).

Matrix jobs cannot pass per-job outputs to later jobs (the last job to finish wins), so each page's
job saves its ``report outputs`` lines as an artifact, and the publish job reads them all back into
JSON lists the release/issue/health matrices fan out over.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from ..errors import ValidationFailed


class Page(Protocol):
    @property
    def slug(self) -> str: ...

    @property
    def display_name(self) -> str: ...


def listing(pages: Sequence[Page]) -> list[dict[str, str]]:
    return [{"slug": p.slug, "display_name": p.display_name} for p in pages]


def parse_outcome(text: str) -> dict[str, str]:
    """``key=value`` lines (as ``report outputs`` prints them) as a dict; other lines are ignored."""
    out = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep and key.strip():
            out[key.strip()] = value.strip()
    return out


def _json(value: Any) -> str:
    # one line, no spaces: a $GITHUB_OUTPUT value must not span lines
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def github_outputs(pages: Sequence[Page], outcomes: Mapping[str, Mapping[str, str]] | None = None) -> str:
    """``slugs`` (the refresh matrix) and ``pages``; with ``outcomes`` (slug -> that job's outputs) also
    ``changed`` (slugs whose run recorded changes), ``health`` ({page, exit_code} of each page whose
    validation failed, for a matrix ``include``) and ``missing`` (pages whose job left no outcome)."""
    lines = {"slugs": _json([p.slug for p in pages]), "pages": _json(listing(pages))}
    if outcomes is not None:
        known = [p.slug for p in pages]
        lines["changed"] = _json([s for s in known if outcomes.get(s, {}).get("changed") == "true"])
        # the health job passes this to ``report issue --exit-code``: the run's exit code, not the status word
        health = [
            {"page": s, "exit_code": outcomes[s].get("exit_code") or str(ValidationFailed.exit_code)}
            for s in known
            if outcomes.get(s, {}).get("validation_failed") == "true"
        ]
        lines["health"] = _json(health)
        lines["missing"] = _json([s for s in known if s not in outcomes])
    return "".join(f"{k}={v}\n" for k, v in lines.items())
