"""What the normalise modules share: the page context and the oddity log."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

from ..model import Document, Scope
from . import environments
from .footnotes import FootnoteResolver

if TYPE_CHECKING:
    from ..pages import Environments

_WS = re.compile(r"\s+")
_DASHES = str.maketrans({"–": "-", "—": "-", "‐": "-", "‑": "-"})
_LOOSE_HYPHEN = re.compile(r"\s+-\s*|\s*-\s+")


@dataclass(frozen=True)
class Oddity:
    """Something the page says that normalising kept, but that a person should look at."""

    kind: str
    where: str
    detail: str


@dataclass
class Context:
    document: Document
    resolver: FootnoteResolver
    split: bool  # the page's feature tables are split by environment
    envs: Environments  # the page's environment vocabulary and label patterns
    oddities: list[Oddity] = field(default_factory=list)

    # (position, scope) of the feature tables that take their environment from their subheading
    heading_labelled: list[tuple[int, Scope]] = field(default_factory=list)

    @classmethod
    def of(cls, document: Document, envs: Environments | None = None) -> Context:
        envs = envs or environments.default()
        features = [t for t in document.tables if t.kind == "feature"]
        split = environments.page_is_split([t.scope for t in features], envs)
        ctx = cls(document, FootnoteResolver(document.footnotes), split, envs)
        for table in features:
            environment, label = environments.from_scope(table.scope, envs)
            if environment is not None and label == table.scope.subheading and table.scope.tab is None:
                ctx.heading_labelled.append((ctx.table_position(table.index), table.scope))
        return ctx

    def table_position(self, index: int) -> int:
        positions = self.document.table_positions
        return positions[index] if index < len(positions) else 0

    def flag(self, kind: str, where: str, detail: str) -> None:
        self.oddities.append(Oddity(kind, where, detail))

    def counts(self) -> Counter[str]:
        return Counter(o.kind for o in self.oddities)

    def environment(
        self, scope: Scope, *, required: bool, position: int | None = None
    ) -> tuple[str | None, str | None]:
        """(environment, label) by :func:`environments.resolve`; a table or list with no label of its
        own, in a section whose feature tables are labelled by subheadings ("### AWS (EKS)" then
        "### Additional environment information"), belongs to the nearest such feature table before it."""
        if position is not None and environments.from_scope(scope, self.envs)[0] is None:
            before = [s for p, s in self.heading_labelled if p < position and s.section == scope.section]
            if before:
                return environments.from_scope(before[-1], self.envs)
        return environments.resolve(scope, self.split, required=required, envs=self.envs)


def clean(text: str | None) -> str:
    return _WS.sub(" ", text or "").strip()


@lru_cache(maxsize=4096)
def key_text(text: str | None) -> str:
    """Text as a key part: case, Unicode forms, dash style and spacing around " - " do not matter."""
    value = unicodedata.normalize("NFKC", text or "").translate(_DASHES).casefold()
    value = _LOOSE_HYPHEN.sub(" - ", value)
    return _WS.sub(" ", value).strip().rstrip(".:").strip()


def where(scope: Scope, table_index: int | None = None, row: int | None = None) -> str:
    parts = [p for p in (scope.section, scope.tab, scope.subheading) if p]
    if table_index is not None:
        parts.append(f"table {table_index}")
    if row is not None:
        parts.append(f"row {row}")
    return " / ".join(parts)
