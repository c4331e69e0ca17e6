"""Rebuild the catalogue root of ``output/`` from what every page published in ``output/<slug>/`` (I/O).

The root holds one folder per page (each a whole publication, swapped in by
:func:`pipeline.publish.publish`) and the files :mod:`pipeline.publish._root` renders from them:
``index.html``, ``datapackage.json`` and ``changes.atom``.  A page folder is read back only
after it passes the publish check (:func:`pipeline.publish._verify.check`: every file matches
its descriptor), so the root never describes a file that is not there; a missing or damaged
folder is listed with one line saying why, and never blocks the other pages.

Readers never see half a root: the new root is built next to ``output/`` (the page folders
hard-linked into it, no data copied), checked, and exchanged with the old one in one rename
(:mod:`pipeline.publish._swap`).  The root's lock is held on ``output/`` itself, the folder
page publishes lock, so no page is swapped while its links are made.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from ..errors import PublishError, UsageError
from . import _root, _swap
from ._verify import ATOM_NS, _check_xml, check

# the single-page layout of output/ before pages had folders: kept as it is, never listed
LEGACY = ("latest", "schema", "api", "changes.md")
SITE_URL_ENV = "SUPPORTMATRIX_SITE_URL"
_A = f"{{{ATOM_NS}}}"


class Page(Protocol):
    """What the catalogue needs of a page spec (:class:`pipeline.pages.PageSpec`)."""

    @property
    def slug(self) -> str: ...

    @property
    def display_name(self) -> str: ...


@dataclass
class Result:
    root: Path
    pages: list[_root.Listing] = field(default_factory=list)
    log: list[str] = field(default_factory=list)  # one line per page not listed, and per recovery step

    @property
    def listed(self) -> list[str]:
        return [p.slug for p in self.pages if isinstance(p, _root.Published)]


def rebuild(output: Path, pages: Sequence[Page], *, site_url: str | None = None) -> Result:
    """Write the catalogue root of ``output`` for ``pages`` and swap it in; returns what was listed."""
    output = Path(output).absolute()
    if output.exists() and not output.is_dir():
        raise UsageError(f"--output {output} is a file, not a folder")
    site = site_url or os.environ.get(SITE_URL_ENV, "").strip() or None
    result = Result(output)
    pages = sorted(pages, key=lambda p: p.slug)  # the listing's order never depends on the caller's
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        with _swap.locked(output.parent):
            # before anything creates output/: a root killed mid-swap is back only if output/ is missing
            result.log += _swap.recover(output)
            output.mkdir(exist_ok=True)
            with _swap.locked(output):
                for page in pages:  # a page publish killed mid-swap: put its previous folder back first
                    result.log += _swap.recover(output / page.slug)
                _refuse_foreign(output, {p.slug for p in pages})
                result.pages = [read(output, page) for page in pages]
                result.log += [f"{p.slug}: {p.reason}" for p in result.pages if isinstance(p, _root.Unlisted)]
                files = _root.render(result.pages, site_url=site)
                _swap_root(output, files)
    except OSError as exc:
        raise PublishError(f"could not rebuild the catalogue in {output}: {exc}") from exc
    return result


def read(output: Path, page: Page) -> _root.Listing:
    """One page folder as the root lists it, or why it is not listed."""
    folder = output / page.slug
    if not folder.is_dir():
        return _root.Unlisted(page.slug, page.display_name, "not published yet")
    try:
        check(folder)
        descriptor = _json(folder / _root.DESCRIPTOR)
        rows = _json(folder / "latest" / "page.json")
        feed_title, entries = read_feed(folder / _root.FEED)
    except PublishError as exc:
        return _root.Unlisted(page.slug, page.display_name, f"skipped: {exc.one_line()}")
    if not isinstance(rows, list) or len(rows) != 1 or not isinstance(rows[0], dict):
        return _root.Unlisted(page.slug, page.display_name, "skipped: latest/page.json does not hold one row")
    return _root.Published(page.slug, page.display_name, descriptor, rows[0], feed_title, entries)


def read_feed(path: Path) -> tuple[str, tuple[_root.Entry, ...]]:
    """A page's Atom feed: its title and its entries in feed order (newest first, as publish writes them)."""
    from lxml import etree

    try:
        feed = etree.fromstring(path.read_bytes(), etree.XMLParser(resolve_entities=False, no_network=True))
    except (OSError, etree.XMLSyntaxError) as exc:
        raise PublishError(f"{path.name} is not well-formed: {exc}") from exc
    entries = []
    for node in feed.iterfind(f"{_A}entry"):
        ident, updated = node.findtext(f"{_A}id"), node.findtext(f"{_A}updated")
        if not ident or not updated:
            raise PublishError(f"{path.name}: an entry has no id or no updated time")
        link = node.find(f"{_A}link")
        entries.append(
            _root.Entry(
                id=ident.strip(),
                title=(node.findtext(f"{_A}title") or "").strip(),
                updated=updated.strip(),
                published=(node.findtext(f"{_A}published") or "").strip() or None,
                link=link.get("href") if link is not None else None,
                content=node.findtext(f"{_A}content"),
            )
        )
    for entry in entries:  # a time that does not parse would only fail later, in the combined feed
        _root.parse_time(entry.updated)
    return (feed.findtext(f"{_A}title") or "").strip(), tuple(entries)


def _json(path: Path) -> Any:
    try:
        return json.loads(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise PublishError(f"{path.relative_to(path.parent.parent)} does not parse as JSON: {exc}") from exc


def _refuse_foreign(output: Path, slugs: set[str]) -> None:
    """The rebuild carries every page folder over; a root holding anything else (``--output ~``, a
    typo) is not a publication root, and refusing beats linking a home folder into it."""
    known = {*slugs, *LEGACY, *_root.FILES}
    foreign = sorted(
        entry.name
        for entry in output.iterdir()
        if not entry.name.startswith(".")
        and entry.name not in known
        and not (entry.is_dir() and (entry / _root.DESCRIPTOR).is_file())
    )
    if foreign:
        shown = ", ".join(foreign[:5]) + (" ..." if len(foreign) > 5 else "")
        raise UsageError(f"{output} is not a publication root: it holds {shown} (neither a page nor a catalogue file)")


def _swap_root(output: Path, files: dict[str, bytes]) -> None:
    staging = _swap.staging_dir(output)
    try:
        for entry in sorted(output.iterdir()):
            if entry.name not in files:
                _carry(entry, staging / entry.name)
        for name, data in files.items():
            (staging / name).write_bytes(data)
        _swap.fsync_tree(staging)
        _check_root(staging)
        _swap.swap_in(staging, output, exchange=os.environ.get("SUPPORTMATRIX_PUBLISH_NO_EXCHANGE") != "1")
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def _carry(source: Path, target: Path) -> None:
    """Hard-link ``source`` into the new root (publish replaces folders, never rewrites a file in
    place, so a link is as good as a copy); copy where links are not possible."""
    if source.is_symlink():
        os.symlink(os.readlink(source), target)
    elif source.is_dir():
        shutil.copytree(source, target, symlinks=True, copy_function=_link)
    else:
        _link(str(source), str(target))


def _link(source: str, target: str) -> object:
    try:
        os.link(source, target, follow_symlinks=False)
    except OSError:  # another filesystem, or links not allowed: the bytes are still the same
        return shutil.copy2(source, target, follow_symlinks=False)
    return target


def _check_root(root: Path) -> None:
    """The root files parse back, and every resource the descriptor lists is in the new tree."""
    descriptor = _json(root / _root.DESCRIPTOR)
    for res in descriptor["resources"]:
        path = root / res["path"]
        if not path.is_file() or path.stat().st_size != res["bytes"]:
            raise PublishError(f"{res['path']} is listed in the catalogue but missing or changed")
    _check_xml(root / _root.FEED, root_tag=f"{_A}feed")
    _check_xml(root / _root.INDEX, root_tag="html")
