"""markdown-it-py extensions for the DocFX flavour the docs repositories use (pure; private to ``render``).

DocFX renders with markdig, not with a GFM renderer, and Learn's HTML follows
markdig where the two differ, so the pipe-table rule below is markdig's, not
markdown-it's: a table is a paragraph whose lines all carry a pipe (one line
without a pipe and markdig leaves the whole block a paragraph), a row longer
than the header widens the table (Learn pads the header with empty ``<th>``),
and a table directly followed by ``---`` is a setext heading, not a table.

The other extensions turn token patterns into Learn's markup: ``> [!NOTE]``
alerts, ``### [Label](#tab/id)`` tab groups (closed only by ``---`` or the end
of the page), ``[!INCLUDE [name](path)]`` lines, heading slug ids and link
types.
"""

from __future__ import annotations

import html
import re
from collections import OrderedDict
from collections.abc import Callable, MutableMapping, Sequence
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from mdit_py_plugins.gfm_autolink import gfm_autolink_plugin

from ..model import ALERT_KINDS

_DELIM_CELL = re.compile(r"^\s*:?-+:?\s*$")
_SETEXT = re.compile(r"^ {0,3}(?:-+|=+)\s*$")
_INTERRUPTS = re.compile(r"^ {0,3}(?:#{1,6}(?:\s|$)|>|```|~~~)")
_ALERT = re.compile(r"^\[!(" + "|".join(ALERT_KINDS) + r")\][ \t]*\n?", re.IGNORECASE)
_INCLUDE = re.compile(r"^\[!INCLUDE\s*\[(?P<name>[^\]]*)\]\((?P<path>[^)]*)\)\s*\]\s*$", re.IGNORECASE)
_TAB = re.compile(r"^\[(?P<label>.+)\]\(#tab/(?P<id>[^)\s/]+)[^)]*\)\s*$")
_IMAGE = re.compile(r"^ {0,3}:::image\b(?P<attrs>.*?)(?::::)?\s*$")
_IMAGE_END = re.compile(r"^ {0,3}:::image-end:::\s*$")
_IMAGE_ATTR = re.compile(r'([\w-]+)="([^"]*)"')
_SLUG_DROP = re.compile(r"[^\w\- ]")
_ESCAPABLE = re.compile(r"([\\`*_{}\[\]()#+\-.!<>|&~])")
_INCLUDE_NOTE = "This article section reuses shared content: {name}."


def docfx_markdown() -> MarkdownIt:
    """CommonMark with raw HTML, plus the DocFX extensions, in the order they must run."""
    md = MarkdownIt("commonmark", {"html": True})
    md.block.ruler.at("table", _pipe_table, {"alt": ["paragraph", "reference"]})
    md.enable("table")
    md.block.ruler.before("paragraph", "docfx_image", _image, {"alt": ["paragraph"]})
    gfm_autolink_plugin(md)  # markdig's autolinks: bare URLs become links, as on Learn
    md.core.ruler.at("inline", _inline_cache())
    md.core.ruler.before("inline", "docfx_alerts", _alerts)
    md.core.ruler.before("inline", "docfx_includes", _includes)
    md.core.ruler.after("inline", "docfx_tabs", _tabs)
    md.core.ruler.after("docfx_tabs", "docfx_links", _links)
    md.core.ruler.after("docfx_links", "docfx_slugs", _slugs)
    return md


# -- inline parsing, once per text ------------------------------------------------


INLINE_CACHE_SIZE = 1 << 14  # distinct inline texts kept per parser; the corpus has a few thousand


def _inline_cache() -> Callable[[StateCore], None]:
    """markdown-it's ``inline`` core rule, remembering what each text parses to.

    Consecutive versions of an article repeat nearly every paragraph and cell (98% of the inline texts of
    20 consecutive corpus revisions had been seen before), and inline parsing is most of the render.
    Reference definitions are part of the key: they are the only input of inline parsing besides the
    text. The tokens are shared between the documents that hold the text, so nothing may change them in
    place: ``_links`` replaces the tokens it rewrites, and a text that markdown-it's ``text_join`` rule
    would change (it merges text tokens in place) gets fresh tokens each time."""
    cache: OrderedDict[tuple[str, str], tuple[list[Token], bool]] = OrderedDict()

    def inline(state: StateCore) -> None:
        references = repr(sorted(state.env.get("references", {}).items()))
        for token in state.tokens:
            if token.type != "inline":
                continue
            key = (token.content, references)
            found = cache.get(key)
            if found is None:
                parsed: list[Token] = []
                state.md.inline.parse(token.content, state.md, state.env, parsed)
                found = cache[key] = (parsed, _joined_in_place(parsed))
                if len(cache) > INLINE_CACHE_SIZE:
                    cache.popitem(last=False)
            else:
                cache.move_to_end(key)
            children, changes = found
            token.children = _fresh(children) if changes else list(children)

    return inline


def _joined_in_place(tokens: list[Token]) -> bool:
    """Would ``text_join`` change these tokens themselves (a ``text_special``, two text tokens in a row,
    an image's alt tokens)?"""
    after_text = False
    for token in tokens:
        if token.children or token.type == "text_special" or (token.type == "text" and after_text):
            return True
        after_text = token.type == "text"
    return False


def _fresh(tokens: list[Token]) -> list[Token]:
    return [t.copy(attrs=dict(t.attrs), children=_fresh(t.children) if t.children else t.children) for t in tokens]


# -- pipe tables (markdig semantics) -------------------------------------------


def split_row(line: str) -> list[str]:
    """Cells of one table line: unescaped pipes outside code spans split; one outer pipe each side is dropped."""
    text = line.strip()
    if "\\" not in text and "`" not in text:  # nearly every row: nothing escapes a pipe
        cells = text.split("|")
        return [c.strip() for c in cells[1 if text.startswith("|") else 0 : -1 if text.endswith("|") else None]]
    cells, buf, i, tick = [], [], 0, 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            buf.append(text[i : i + 2])  # the inline parser turns "\|" into "|"
            i += 2
            continue
        if ch == "`":
            run = len(text[i:]) - len(text[i:].lstrip("`"))
            tick = 0 if tick == run else (run if tick == 0 else tick)
            buf.append(text[i : i + run])
            i += run
            continue
        if ch == "|" and tick == 0:
            cells.append("".join(buf))
            buf = []
        else:
            buf.append(ch)
        i += 1
    cells.append("".join(buf))
    if text.startswith("|"):
        cells = cells[1:]
    if text.endswith("|") and not text.endswith("\\|") and cells:
        cells = cells[:-1]
    return [c.strip() for c in cells]


def _line(state: StateBlock, n: int) -> str:
    return state.src[state.bMarks[n] + state.tShift[n] : state.eMarks[n]]


def _pipe_table(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    if start + 2 > end or state.sCount[start] - state.blkIndent >= 4:
        return False
    header, delimiter = _line(state, start), _line(state, start + 1)
    if "|" not in header or "|" not in delimiter:
        return False
    delims = split_row(delimiter)
    if not delims or not all(_DELIM_CELL.match(c) for c in delims):
        return False
    last = start + 2
    while last < end and _line(state, last).strip() and not _INTERRUPTS.match(_line(state, last)):
        if _SETEXT.match(_line(state, last)) or "|" not in _line(state, last):
            return False  # markdig: a setext heading, or a plain paragraph; CommonMark's rules render both alike
        last += 1
    if silent:
        return True
    head = split_row(header)
    rows = [split_row(_line(state, n)) for n in range(start + 2, last)]
    width = max([len(head)] + [len(r) for r in rows])
    _emit_table(state, (start, last), head, rows, width)
    state.line = last
    return True


def _emit_table(state: StateBlock, span: tuple[int, int], head: list[str], rows: list[list[str]], width: int) -> None:
    table = state.push("table_open", "table", 1)
    table.map = [span[0], span[1]]
    state.push("thead_open", "thead", 1)
    _emit_row(state, head, width, "th", span[0])
    state.push("thead_close", "thead", -1)
    if rows:
        state.push("tbody_open", "tbody", 1)
        for offset, row in enumerate(rows):
            _emit_row(state, row, width, "td", span[0] + 2 + offset)
        state.push("tbody_close", "tbody", -1)
    state.push("table_close", "table", -1)


def _emit_row(state: StateBlock, cells: Sequence[str], width: int, tag: str, line: int) -> None:
    state.push("tr_open", "tr", 1)
    for i in range(width):
        state.push(f"{tag}_open", tag, 1)
        inline = state.push("inline", "", 0)
        inline.content = cells[i] if i < len(cells) else ""
        inline.map = [line, line + 1]
        inline.children = []
        state.push(f"{tag}_close", tag, -1)
    state.push("tr_close", "tr", -1)


def _image(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """``:::image type="content" source="x.png" alt-text="...":::`` (a "complex" image runs to ``:::image-end:::``)."""
    match = _IMAGE.match(_line(state, start))
    if match is None:
        return False
    if silent:
        return True
    attrs = dict(_IMAGE_ATTR.findall(match["attrs"]))
    last = start + 1
    if attrs.get("type") == "complex":  # the long description is for screen readers; Learn hides it
        closing = next((n for n in range(start + 1, end) if _IMAGE_END.match(_line(state, n))), None)
        last = start + 1 if closing is None else closing + 1
    src, alt = html.escape(attrs.get("source", "")), html.escape(attrs.get("alt-text", ""))
    token = state.push("html_block", "", 0)
    token.content = f'<p class="mx-imgBorder">\n<img src="{src}" alt="{alt}" data-linktype="relative-path">\n</p>\n'
    token.map = [start, last]
    state.line = last
    return True


# -- alerts and includes (before inline parsing: they rewrite source text) ----


def _html_block(content: str, level: int = 0) -> Token:
    token = Token("html_block", "", 0, content=content)
    token.level = level
    token.block = True
    return token


def _alerts(state: StateCore) -> None:
    tokens = state.tokens
    i = 0
    while i < len(tokens):
        opening = tokens[i]
        body = tokens[i + 2] if i + 2 < len(tokens) else None
        match = _ALERT.match(body.content) if opening.type == "blockquote_open" and body is not None else None
        if match is None or body is None or tokens[i + 1].type != "paragraph_open":
            i += 1
            continue
        kind = match.group(1).upper()
        closing = _matching_close(tokens, i)
        opening.tag = closing.tag = "div"
        opening.attrs = {"class": kind}
        body.content = body.content[match.end() :].lstrip()
        if not body.content:
            del tokens[i + 1 : i + 4]  # the marker's own paragraph ("> [!NOTE]" then ">")
        tokens.insert(i + 1, _html_block(f"<p>{kind.capitalize()}</p>\n", opening.level + 1))
        i += 2


def _matching_close(tokens: list[Token], index: int) -> Token:
    depth = 0
    for token in tokens[index:]:
        depth += token.nesting
        if depth == 0:
            return token
    raise ValueError("unbalanced tokens")  # markdown-it always balances its block tokens


def _includes(state: StateCore) -> None:
    tokens = state.tokens
    i = 0
    while i + 2 < len(tokens):
        inline = tokens[i + 1]
        match = _INCLUDE.match(inline.content) if inline.type == "inline" else None
        if match and tokens[i].type == "paragraph_open":
            note = html.escape(_INCLUDE_NOTE.format(name=match["name"].strip()), quote=False)
            tokens[i : i + 3] = [_html_block(f"<p>{note}</p>\n", tokens[i].level)]
        elif match and tokens[i].type == "heading_open":
            inline.content = _ESCAPABLE.sub(r"\\\1", match["name"].strip())
        i += 1


# -- tab groups (after inline parsing: labels keep their emphasis) -------------


def _tab_heading(tokens: list[Token], i: int) -> re.Match[str] | None:
    if tokens[i].type != "heading_open" or tokens[i].level != 0 or i + 1 >= len(tokens):
        return None
    return _TAB.match(tokens[i + 1].content)


def _tabs(state: StateCore) -> None:
    tokens, out, group = state.tokens, [], 0
    i = 0
    while i < len(tokens):
        if _tab_heading(tokens, i) is None:
            out.append(tokens[i])
            i += 1
            continue
        group += 1
        end = next((j for j in range(i, len(tokens)) if tokens[j].type == "hr" and tokens[j].level == 0), len(tokens))
        out.extend(_tab_group(state, tokens[i:end], group))
        i = end + 1  # DocFX consumes the closing "---"
    state.tokens = out


def _tab_group(state: StateCore, tokens: list[Token], group: int) -> list[Token]:
    panels: list[tuple[str, str, list[Token]]] = []  # (tab id, label html, body tokens)
    i = 0
    while i < len(tokens):
        match = _tab_heading(tokens, i)
        if match is not None:
            panels.append((html.escape(match["id"], quote=True), _label_html(state, tokens[i + 1]), []))
            i += 3
            continue
        panels[-1][2].append(tokens[i])
        i += 1
    items = []
    for n, (tab, label, _) in enumerate(panels):
        selected = ' tabindex="0" aria-selected="true"' if n == 0 else ' tabindex="-1"'
        items.append(
            f'<li role="presentation">\n<a href="#tabpanel_{group}_{tab}" role="tab" '
            f'aria-controls="tabpanel_{group}_{tab}" data-tab="{tab}"{selected} '
            f'data-linktype="self-bookmark">{label}</a>\n</li>\n'
        )
    out = [_html_block(f'<div class="tabGroup" id="tabgroup_{group}">\n<ul role="tablist">\n{"".join(items)}</ul>\n')]
    for n, (tab, _, body) in enumerate(panels):
        hidden = ' aria-hidden="true" hidden="hidden"' if n else ""
        out.append(_html_block(f'<section id="tabpanel_{group}_{tab}" role="tabpanel" data-tab="{tab}"{hidden}>\n'))
        out.extend(body)
        out.append(_html_block("</section>\n"))
    out.append(_html_block("</div>\n"))
    return out


def _label_html(state: StateCore, inline: Token) -> str:
    children = inline.children or []
    inner = children[1:-1] if children and children[0].type == "link_open" else children
    return render_inline(state.md, inner, state.env)


def render_inline(md: MarkdownIt, tokens: Sequence[Token], env: MutableMapping[str, Any]) -> str:
    renderer = md.renderer
    if not isinstance(renderer, RendererHTML):  # the only renderer docfx_markdown installs
        raise TypeError(f"expected an HTML renderer, got {type(renderer).__name__}")
    return renderer.renderInline(tokens, md.options, env)


# -- links and heading ids -------------------------------------------------------


def link_type(href: str) -> tuple[str, str]:
    """Learn's rewrite of a source link: (href as served, data-linktype)."""
    if href.startswith("#"):
        return href, "self-bookmark"
    if re.match(r"^[a-z][a-z0-9+.-]*:", href, re.IGNORECASE):
        return href, "external"
    path, sep, fragment = href.partition("#")
    served = re.sub(r"\.md$", "", path) + sep + fragment
    if href.startswith("/"):
        return (served if re.match(r"^/[a-z]{2}-[a-z]{2}/", served) else "/en-us" + served), "absolute-path"
    return served, "relative-path"


def _links(state: StateCore) -> None:
    for token in state.tokens:
        children = token.children or []
        for i, child in enumerate(children):
            if child.type == "link_open":
                href, kind = link_type(str(child.attrGet("href") or ""))
                # a new token, not the one changed in place: the inline tokens are shared (_inline_cache)
                children[i] = child.copy(attrs={**child.attrs, "href": href, "data-linktype": kind})


def slug(text: str) -> str:
    """Learn's heading id: lower case, punctuation dropped, each space a hyphen."""
    return _SLUG_DROP.sub("", text.lower()).replace(" ", "-")


def _slugs(state: StateCore) -> None:
    seen: dict[str, int] = {}
    for i, token in enumerate(state.tokens):
        if token.type != "heading_open":
            continue
        base = slug(plain_text(state.tokens[i + 1]))
        count = seen.get(base, 0)
        seen[base] = count + 1
        token.attrSet("id", base if count == 0 else f"{base}-{count}")


def plain_text(inline: Token) -> str:
    return "".join(c.content for c in inline.children or () if c.type in ("text", "code_inline"))
