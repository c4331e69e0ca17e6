"""Normalise: the extracted document -> the four tidy datasets (pure).

``normalise(document)`` returns ``{"features", "feature_support",
"support_items", "os_versions"}`` as DataFrames with the columns declared in
:mod:`pipeline.schema`; ``tidy(document)`` also returns the oddities met on
the way (things kept as written that a person should look at: unmapped
environments, "Unknown" states, unresolved footnotes, unparsed OS lines,
continuation lines, ...). ``covers`` answers "is version V of OS N covered?"
on an ``os_versions`` frame.

The rules live with the code that applies them: environments.py (which
cloud), states.py (release states), lists.py (resources, plans, clouds and
their canonical spellings), footnotes.py (resolution by anchor within scope),
features.py (feature rows and keys), support_items.py (Aspect/Details
bullets), os_versions.py (OS line grammar, version comparison), os_rows.py
(which lines are OS lines).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..model import Document
from . import features as _features
from . import os_rows as _os_rows
from . import support_items as _support
from ._common import Context, Oddity
from .os_versions import covers, parse_os_line

if TYPE_CHECKING:
    import pandas as pd

    from ..pages import PageSpec

__all__ = ["Oddity", "Tidy", "covers", "normalise", "parse_os_line", "tidy"]


@dataclass(frozen=True)
class Tidy:
    frames: dict[str, pd.DataFrame]
    oddities: tuple[Oddity, ...] = field(default=())

    def counts(self) -> Counter[str]:
        """Oddities by kind, e.g. {"continuation line": 2, "unresolved footnote": 1}."""
        return Counter(o.kind for o in self.oddities)


def tidy(document: Document, spec: PageSpec | None = None) -> Tidy:
    ctx = Context.of(document, spec.environments if spec is not None else None)
    feature_rows: list[dict[str, Any]] = []
    items: list[dict[str, Any]] = []
    for table in document.tables:
        if table.kind == "feature":
            feature_rows.extend(_features.table_rows(table, ctx))
        elif table.kind == "aspect":
            _support.aspect_table(table, ctx, items)
        elif _support.is_list_table(table):
            _support.list_table(table, ctx, items)
    _support.support_lists(ctx, items)
    items = _support.dedupe(items, ctx)
    _features.assign_keys(feature_rows, ctx)
    os_found = _os_rows.rows(items, ctx)
    if ctx.resolver.unresolved:
        ctx.flag("unresolved footnote", "page", f"{ctx.resolver.unresolved} reference(s)")
    frames = {
        "features": _frame("features", feature_rows, int_columns=("table_index", "row")),
        "feature_support": _frame("feature_support", _features.support_rows(feature_rows)),
        "support_items": _frame("support_items", items, int_columns=("table_index",)),
        "os_versions": _frame("os_versions", os_found),
    }
    return Tidy(frames, tuple(ctx.oddities))


def normalise(document: Document, spec: PageSpec | None = None) -> dict[str, pd.DataFrame]:
    """The tidy datasets of one page revision, by name: the long ``support`` matrix every page has
    (:mod:`pipeline.normalise.matrix`), and the richer ones its spec names (``spec.datasets``; the
    default page's when no spec is given)."""
    from ..pages import or_default
    from .matrix import support_frame

    spec = or_default(spec)
    frames = {"support": support_frame(document, spec)}
    if spec.datasets:
        rich = tidy(document, spec).frames
        frames.update({name: rich[name] for name in spec.datasets})
    return frames


def _frame(name: str, rows: list[dict[str, Any]], int_columns: tuple[str, ...] = ()) -> pd.DataFrame:
    from ..extract.datasets import frame
    from ..schema import DATASETS

    columns = DATASETS[name].names
    return frame(name, {c: [row[c] for row in rows] for c in columns}, nullable_ints=int_columns)
