"""supportmatrix: the Defender for Containers support matrix as validated, versioned datasets.

The pipeline, one module per stage::

    fetch -> extract -> normalise -> validate -> snapshots/diff -> publish -> alerts

``run`` composes them (see ``pipeline/run.py``).
"""

from __future__ import annotations

__version__ = "0.1.0"
