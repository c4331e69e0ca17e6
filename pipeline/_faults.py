"""Test-only fault points: kill the process at a named step boundary (I/O: signals itself).

``SUPPORTMATRIX_KILL_AT=<step>`` makes the run SIGKILL itself when it reaches
``point("<step>")``: no cleanup, no ``finally``, as a power cut or the CI
runner's timeout would. The fault-injection tests use it to prove that a run
killed at any step boundary, followed by a normal run, leaves exactly the
history and alerts of an uninterrupted one. Unset (always, outside tests), a
point costs one dictionary lookup.
"""

from __future__ import annotations

import os
import signal

KILL_AT = "SUPPORTMATRIX_KILL_AT"


def point(step: str) -> None:
    if os.environ.get(KILL_AT) == step:
        os.kill(os.getpid(), signal.SIGKILL)
