"""``os_versions`` rows: the OS lines among the support items, plus version statements in prose.

Which support items are OS lines:

* every item (status not "Unsupported") whose aspect names operating systems
  or OS packages ("Operating systems", "OS Packages", "Verified supported
  operating systems", a "Supported host operating systems" list);
* items of a "Kubernetes distributions ..." aspect that carry a version
  ("Red Hat OpenShift (version 4.6 or newer)");
* version statements in paragraphs: "Linux Kernel 5.4 and above", "AKS V1.28
  and below" (the sentence becomes the note).

``context`` is "section / subheading / aspect" (parts that are empty or repeat
the previous one are left out). A line the OS grammar does not accept is kept
with its raw text as ``name`` and note "unparsed", and flagged.
"""

from __future__ import annotations

import re
from typing import Any

from ._common import Context
from .os_versions import UNPARSED, OsEntry, parse_os_line, version_phrases
from .support_items import UNSUPPORTED

_OS_ASPECT = re.compile(r"\boperating systems?\b|\bos\b", re.I)
_DISTRIBUTIONS = re.compile(r"\bkubernetes distributions?\b", re.I)


def context(*parts: str | None) -> str:
    out: list[str] = []
    for part in parts:
        if part and (not out or out[-1] != part):
            out.append(part)
    return " / ".join(out)


def _row(ctx_text: str, environment: str | None, entry: OsEntry) -> dict[str, Any]:
    return {
        "context": ctx_text,
        "environment": environment,
        "name": entry.name,
        "version_min": entry.version_min,
        "version_max": entry.version_max,
        "versions": list(entry.versions),
        "open_ended": entry.open_ended,
        "based_on": entry.based_on,
        "note": entry.note,
        "raw": entry.raw,
    }


def _has_version(entry: OsEntry) -> bool:
    return bool(entry.versions or entry.version_min or entry.version_max)


def rows(items: list[dict[str, Any]], ctx: Context) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for item in items:
        if item["status"] == UNSUPPORTED:
            continue
        aspect = item["aspect"]
        is_os = bool(_OS_ASPECT.search(aspect))
        if not is_os and not _DISTRIBUTIONS.search(aspect):
            continue
        ctx_text = context(item["section"], item["subheading"], aspect)
        entries = parse_os_line(item["item"])
        if entries is None:
            if is_os:
                ctx.flag("unparsed OS line", ctx_text, item["item"])
                out.append(_row(ctx_text, item["environment"], OsEntry(item["item"], note=UNPARSED, raw=item["item"])))
            continue
        for entry in entries:
            if is_os or _has_version(entry):
                out.append(_row(ctx_text, item["environment"], entry))
    for block in ctx.document.blocks:
        if block.kind != "p":
            continue
        for phrase, entry in version_phrases(block.text):
            environment, _ = ctx.environment(block.scope, required=False, position=block.position)
            entry.raw = phrase
            out.append(_row(context(block.scope.section, block.scope.subheading), environment, entry))
    return _dedupe(out, ctx)


def _dedupe(found: list[dict[str, Any]], ctx: Context) -> list[dict[str, Any]]:
    seen: set[tuple[Any, ...]] = set()
    out = []
    for row in found:
        key = (row["context"], row["environment"], row["name"], row["raw"])
        if key in seen:
            ctx.flag("duplicate OS line", row["context"], row["raw"])
            continue
        seen.add(key)
        out.append(row)
    return out
