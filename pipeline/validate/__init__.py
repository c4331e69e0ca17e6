"""Validate a revision's datasets with Great Expectations before anything is published (fail closed).

``validate(frames, previous=...)`` runs the committed suites in ``expectations/`` over every published
dataset and over small derived frames for the cross-table rules (schema and types, footnote references,
feature tables per section, version ranges) and, given the previous good snapshot's frames, the drift
guards. It returns a :class:`ValidationReport`; it raises nothing for a failed expectation (the caller
decides: ``run`` quarantines and raises ``ValidationFailed``).

Pure apart from the lazy Great Expectations import: the GX context and suites are built on the first
call and reused for the life of the process. Thresholds: :mod:`pipeline.validate.thresholds`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .result import ExpectationResult, ValidationReport

if TYPE_CHECKING:
    import pandas as pd

    from ..pages import PageSpec

__all__ = ["ExpectationResult", "ValidationReport", "validate"]


def validate(
    frames: dict[str, pd.DataFrame],
    *,
    previous: dict[str, pd.DataFrame] | None = None,
    suites: Path | None = None,
    page: PageSpec | None = None,
) -> ValidationReport:
    """Run every suite of the page (``page``: default ``pipeline.pages.DEFAULT``) over ``frames`` (all its
    published datasets, by name); ``previous`` enables drift guards."""
    from . import _derive
    from ._engine import engine
    from .suites import DATASET_SUITES, suite_names, suites_dir

    names = suite_names(page)
    gx = engine(suites or suites_dir(page), names)
    derived = _derive.derived(frames, previous, page)
    checks = []
    for name in names:
        frame = frames.get(name) if name in DATASET_SUITES else derived.get(name)
        if frame is not None:  # a missing dataset fails the schema suite; drift needs a previous revision
            checks.append((name, frame))
    found = gx.run_all(checks)
    ran = [name for name, _ in checks]
    results = [r for name in ran for r in found[name]]
    return ValidationReport(tuple(results), tuple(ran), has_previous=previous is not None)
