"""A failed validation, settled: validity failures quarantine, drift failures ask the authored source.

``settle`` runs after validation in ``run`` (I/O: it may read the source, through
:mod:`pipeline.validate.source`). A validity failure (schema, vocabularies, layouts, row bounds) is final. A
drift-only failure is published as an authored restructure when the page's own source agrees with
the scrape; unreachable or disagreeing sources leave it failed (quarantined: fail closed). A passing
page records its source agreement too, so every published run says whether the scrape matches what
the authors wrote. What it decides goes into the validation result (``validation.json``) and the
snapshot meta: ``outcome``, ``failure_kind``, ``source_agreement`` and, for a restructure,
``restructure`` (read by :func:`pipeline.validate.corroborate.page_changes` into a ``restructured`` record).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from .result import DRIFT, VALIDITY, failure_kind

if TYPE_CHECKING:
    import pandas as pd

    from ..steps import Revision

PASSED, RESTRUCTURED, QUARANTINED, FORCED, ACCEPTED = "passed", "restructured", "quarantined", "forced", "accepted"
EVENT_KEYS = ("restructure", "accepted")  # what a validation result passes on to the diff


def settle(
    validation: dict[str, Any],
    revision: Revision,
    previous: dict[str, pd.DataFrame] | None,
    *,
    clone: Path | None,
    hosts: tuple[str, ...],
) -> dict[str, Any]:
    """``validation`` with the source's verdict; ``success`` turns true only for a confirmed restructure."""
    kind = validation.get("failure_kind") or failure_kind(validation.get("failed", []))
    out = {**validation, "failure_kind": kind}
    if kind == VALIDITY:
        return {**out, "outcome": QUARANTINED}
    from .source import corroborate

    verdict = corroborate(revision, clone=clone, hosts=hosts)
    out["source_agreement"] = verdict
    if kind is None:
        return {**out, "outcome": PASSED}
    if verdict["status"] == "agrees" and previous is not None:
        from .corroborate import describe

        restructure = {
            "confirmed_by": f"source at {str(verdict.get('commit'))[:12]}",
            "commit": verdict.get("commit"),
            "agreement": verdict.get("minimum"),
            "failed": list(validation.get("failed", [])),
            "structure": describe(previous, revision.frames),
        }
        return {**out, "success": True, "outcome": RESTRUCTURED, "restructure": restructure}
    return {**out, "outcome": QUARANTINED}


def backfill_settle(
    validation: dict[str, Any], frames: dict[str, Any], previous: dict[str, Any] | None, commit: str | None
) -> dict[str, Any]:
    """Backfill renders the authored source itself, so its agreement is exact by construction: a
    drift-only failure there is an authored restructure; a validity failure still quarantines."""
    kind = validation.get("failure_kind") or failure_kind(validation.get("failed", []))
    out = {**validation, "failure_kind": kind}
    if kind != DRIFT or previous is None:
        return {**out, "outcome": PASSED if kind is None else QUARANTINED}
    from .corroborate import describe

    restructure = {
        "confirmed_by": f"backfill from source at {str(commit)[:12]}",
        "commit": commit,
        "agreement": 1.0,
        "failed": list(validation.get("failed", [])),
        "structure": describe(previous, frames),
    }
    return {**out, "success": True, "outcome": RESTRUCTURED, "restructure": restructure}


def events(validation: dict[str, Any] | None) -> dict[str, Any]:
    """The history events a stored validation result asks for (``restructure``, ``accepted``)."""
    return {k: validation[k] for k in EVENT_KEYS if validation and isinstance(validation.get(k), dict)}


def failure_line(validation: dict[str, Any]) -> str:
    """Why a page was quarantined, naming the kind (the ValidationFailed message and the health alert)."""
    kind = validation.get("failure_kind")
    if kind == DRIFT:
        verdict = validation.get("source_agreement") or {}
        return f"unconfirmed restructure (source {verdict.get('status', 'not checked')}: {verdict.get('reason', '')})"
    return "validity failure (the page is broken or another article)"
