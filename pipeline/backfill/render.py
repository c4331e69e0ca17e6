"""Render one DocFX markdown version into the HTML Learn serves for it (pure: text in, bytes out).

The backfill replays the article's source history; rendering each version into
Learn's server-HTML shape (``docs/learn-html.md``: ``<head>`` metadata, the
H1 in its own ``div.content``, the body in the next) lets the unchanged
extractor read it, so a backfilled revision and a scraped one cannot drift
apart. The DocFX syntax lives in :mod:`pipeline.backfill._docfx`.

Public surface: :func:`render`, :class:`SourceInfo`, :func:`front_matter`.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import cache
from pathlib import PurePosixPath

from markdown_it import MarkdownIt

from ._docfx import docfx_markdown, plain_text, render_inline, slug

LEARN_BASE = "https://learn.microsoft.com/en-us/azure/defender-for-cloud/"
TITLE_SUFFIX = " - Microsoft Defender for Cloud | Microsoft Learn"
PROVENANCE = "git"
# front-matter keys Learn copies into <meta> tags as they are
_PASSED_THROUGH = ("description", "author", "ms.author", "manager", "ms.service", "ms.topic", "ms.custom")
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.DOTALL)
_US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")


@dataclass(frozen=True)
class SourceInfo:
    """Where a markdown version comes from; every field is optional (``render(md)`` works alone)."""

    commit: str | None = None  # the commit sha (Learn's git_commit_id)
    committed_at: str | None = None  # commit time, UTC ISO-8601 (Learn's updated_at)
    path: str | None = None  # path in the repository, e.g. articles/defender-for-cloud/x.md
    repo: str | None = None  # OWNER/REPO on GitHub, for the source URLs
    canonical_url: str | None = None  # overrides the URL derived from the file name


def front_matter(markdown: str) -> tuple[dict[str, str], str]:
    """Split the YAML front matter (flat ``key: value`` lines, as DocFX articles use) from the body."""
    match = _FRONT_MATTER.match(markdown.lstrip("\ufeff"))
    if match is None:
        return {}, markdown
    fields: dict[str, str] = {}
    for line in match.group(1).splitlines():
        key, sep, value = line.partition(":")
        if not sep or not key.strip() or line[:1].isspace():
            continue
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        fields[key.strip()] = value
    return fields, markdown.lstrip("\ufeff")[match.end() :]


def iso_ms_date(value: str | None) -> str | None:
    """``07/07/2022`` (how authors write ms.date) -> ``2022-07-07T00:00:00Z`` (how Learn serves it)."""
    if not value:
        return None
    us, iso = _US_DATE.match(value.strip()), _ISO_DATE.match(value.strip())
    if us:
        return f"{us.group(3)}-{int(us.group(1)):02d}-{int(us.group(2)):02d}T00:00:00Z"
    if iso:
        return f"{iso.group(1)}-{iso.group(2)}-{iso.group(3)}T00:00:00Z"
    return value.strip()


def canonical_url(path: str | None) -> str | None:
    if not path:
        return None
    return LEARN_BASE + PurePosixPath(path).stem


@cache
def _parser() -> MarkdownIt:
    return docfx_markdown()


def render(markdown: str, source: SourceInfo | None = None) -> bytes:
    """The page Learn would serve for this markdown version, as UTF-8 bytes."""
    source = source or SourceInfo()
    fields, body = front_matter(markdown)
    md = _parser()
    env: dict[str, object] = {}
    tokens = md.parse(body, env)
    h1_html, h1_id = "", ""
    for i, token in enumerate(tokens):
        if token.type == "heading_open" and token.tag == "h1" and token.level == 0:
            h1_id = str(token.attrGet("id") or slug(plain_text(tokens[i + 1])))
            h1_html = render_inline(md, tokens[i + 1].children or [], env)
            del tokens[i : i + 3]
            break
    title = fields.get("title") or html.unescape(re.sub(r"<[^>]+>", "", h1_html)) or None
    if not h1_html and title:
        h1_html, h1_id = html.escape(title, quote=False), slug(title)
    article = md.renderer.render(tokens, md.options, env)
    page = _document(title, _head_meta(fields, source), source, h1_html, h1_id, article)
    return page.encode("utf-8")


def _head_meta(fields: dict[str, str], source: SourceInfo) -> list[tuple[str, str]]:
    meta = [(k, fields[k]) for k in _PASSED_THROUGH if fields.get(k)]
    ms_date = iso_ms_date(fields.get("ms.date"))
    if ms_date:
        meta.append(("ms.date", ms_date))
    if source.committed_at:
        meta.append(("updated_at", source.committed_at))
    if source.repo and source.path:
        meta.append(("original_content_git_url", f"https://github.com/{source.repo}/blob/main/{source.path}"))
        if source.commit:
            meta.append(("gitcommit", f"https://github.com/{source.repo}/blob/{source.commit}/{source.path}"))
    if source.commit:
        meta.append(("git_commit_id", source.commit))
    if source.path:
        meta.append(("source_path", source.path))
    meta.append(("locale", "en-us"))
    meta.append(("supportmatrix.provenance", PROVENANCE))
    return meta


def _document(
    title: str | None,
    meta: list[tuple[str, str]],
    source: SourceInfo,
    h1_html: str,
    h1_id: str,
    article: str,
) -> str:
    def attr(value: str) -> str:
        return html.escape(value, quote=True)

    head = ['<meta charset="utf-8" />']
    if title:
        head.append(f"<title>{html.escape(title + TITLE_SUFFIX, quote=False)}</title>")
    canonical = source.canonical_url or canonical_url(source.path)
    if canonical:
        head.append(f'<link rel="canonical" href="{attr(canonical)}" />')
    head.extend(f'<meta name="{attr(name)}" content="{attr(value)}" />' for name, value in meta)
    return (
        '<!DOCTYPE html>\n<html lang="en-us" dir="ltr">\n<head>\n'
        + "\n".join(head)
        + '\n</head>\n<body>\n<main id="main" role="main" lang="en-us" dir="ltr">\n'
        + f'<div class="content"><h1 id="{attr(h1_id)}">{h1_html}</h1></div>\n'
        + f'<div class="content">{article}</div>\n'
        + "</main>\n</body>\n</html>\n"
    )
