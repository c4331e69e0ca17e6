"""supportmatrix: the Defender for Cloud support matrices (one page spec each) as validated, versioned datasets.

The pipeline, one module per stage::

    fetch -> extract -> normalise -> validate -> snapshots/diff -> publish -> alerts

``run`` composes them (see ``pipeline/run.py``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

__version__ = "0.1.0"

if TYPE_CHECKING:
    from pathlib import Path

    import pandas as pd


def load(dataset: str, root: str | Path = "output") -> pd.DataFrame:
    """A published dataset as a DataFrame: ``load("features")``, or ``root="https://<owner>.github.io/<repo>"``."""
    from ._load import load as _load  # lazy: importing the package stays cheap

    return _load(dataset, root)
