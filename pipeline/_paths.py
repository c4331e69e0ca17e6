"""Folders named on the command line, and the sub-folders made from page names (I/O: looks at the
filesystem, writes nothing).

A page's name comes from outside (a file someone saved, a URL), so it is never used as a path as
is: ``extract`` of a page named ``...html`` once wrote its datasets into the parent of ``--out``
(the stem ``..``). :func:`folder_name` makes one harmless path component of it, and :func:`inside`
refuses any target that resolves outside the folder (a symlink planted inside ``--out``, say).
"""

from __future__ import annotations

import re
from pathlib import Path

from .errors import UsageError

_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\]")  # separators and control characters


def folder(path: Path, flag: str) -> Path:
    """``path`` for ``flag`` when it is a folder or does not exist yet; a file there is a usage error."""
    if path.exists() and not path.is_dir():
        raise UsageError(f"{flag} {path} is a file, not a folder")
    return path


def folder_name(stem: str) -> str:
    """One path component from a page's stem: separators and control characters become ``_``,
    leading dots go (``..`` and ``.`` mean other folders, ``.x`` would be hidden); ``page`` if
    nothing is left."""
    name = _UNSAFE.sub("_", stem).lstrip(". ").rstrip(" ")
    return name or "page"


def inside(root: Path, name: str) -> Path:
    """``root / name``, provided it resolves to a folder inside ``root``."""
    target = root / name
    if not target.resolve().is_relative_to(root.resolve()) or target.resolve() == root.resolve():
        raise UsageError(f"{target} resolves outside {root}; refusing to write there")
    return target
