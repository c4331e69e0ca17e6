"""Command line: ``supportmatrix`` / ``python -m pipeline``.

Each sub-command lives in ``pipeline/commands/<name>.py`` with ``register(sub)``
and a ``main(args) -> int``; this module only dispatches, and turns every
:class:`~pipeline.errors.PipelineError` into one line on stderr and an exit
code, in one place; any other exception is a bug, printed the same way as an
:class:`~pipeline.errors.InternalError` (exit 1) unless ``--debug`` asks for
its traceback.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from .errors import InternalError, PipelineError

# the order they appear in --help
COMMANDS = (
    "run",
    "extract",
    "validate",
    "diff",
    "snapshots",
    "alert",
    "backfill",
    "bootstrap",
    "accept",
    "repair",
    "report",
    "catalogue",
    "pages",
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="supportmatrix",
        description="The Defender for Cloud support matrices as validated datasets, with change alerts.",
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks for unexpected errors")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"pipeline.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"pipeline.commands.{name}":
                continue
            raise
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except PipelineError as exc:
        if args.debug and isinstance(exc, InternalError) and exc.__cause__ is not None:
            raise exc.__cause__ from None  # the bug itself, with its own traceback
        print(f"supportmatrix: {exc.one_line()}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("supportmatrix: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug, not bad input: still one line unless asked
        if args.debug:
            raise
        error = InternalError.wrap(exc)
        print(f"supportmatrix: {error.one_line()}", file=sys.stderr)
        return error.exit_code


def console() -> NoReturn:
    """The command line (``supportmatrix``, ``python -m pipeline``): :func:`main`, then exit."""
    code = main()
    # All that must last is on disk (written, fsynced, closed) when main returns. Python's exit would
    # then run collections over every object GX's import made: 0.7-1.0 s on the new-page path
    # (measured 2026-12-03). A frozen heap is left out of them (gc.freeze is documented for this);
    # atexit handlers, logging's flush among them, still run and stdout is still flushed.
    gc.freeze()
    sys.exit(code)


if __name__ == "__main__":
    console()
