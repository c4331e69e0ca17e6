"""The validation result: what ran, what failed, what was flagged; JSON for the snapshot, lines for people."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

SAMPLE = 5  # unexpected values kept per expectation

# The two kinds of failure. A validity failure (schema, vocabularies, layouts, row bounds) means the page
# is broken or another article: always quarantined. A drift failure alone (the page differs a lot from the
# last good one) is an unconfirmed restructure: published only once the page's authored source agrees.
VALIDITY = "validity"
DRIFT = "drift"
DRIFT_SUITES = frozenset({"drift", "matrix_drift"})  # the richer pages' guards, and every other page's


def kind_of(name: str) -> str:
    """The failure kind of a failed expectation named ``suite.expectation(column)``."""
    return DRIFT if name.split(".", 1)[0] in DRIFT_SUITES else VALIDITY


def failure_kind(failed: list[str] | tuple[str, ...]) -> str | None:
    """``validity`` when any failure is one (it decides), ``drift`` when all are drift, None when none failed."""
    kinds = {kind_of(str(n)) for n in failed}
    if not kinds:
        return None
    return VALIDITY if VALIDITY in kinds else DRIFT


def plain(value: Any) -> Any:
    """A JSON-able, deterministic copy of a GX result value (numpy scalars, NaN/NA, tuples, sets)."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, float):
        return None if math.isnan(value) else value
    if isinstance(value, int):
        return value
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, (set, frozenset)):
        return sorted((plain(v) for v in value), key=str)
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if hasattr(value, "tolist"):  # numpy scalars and arrays
        return plain(value.tolist())
    try:
        import pandas as pd

        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return str(value)


@dataclass(frozen=True)
class ExpectationResult:
    suite: str
    expectation: str  # the GX expectation type
    column: str | None  # the column(s) it is about, comma-separated
    success: bool
    severity: str = "critical"  # "critical" fails validation, "warning" only flags
    rule: str = ""
    observed: Any = None
    unexpected: list[Any] = field(default_factory=list)
    unexpected_count: int | None = None

    @property
    def name(self) -> str:
        """``suite.expectation(column)``, how failures are named everywhere."""
        return f"{self.suite}.{self.expectation}" + (f"({self.column})" if self.column else "")

    @property
    def critical(self) -> bool:
        return self.severity != "warning"

    def to_dict(self) -> dict[str, Any]:
        return {
            "suite": self.suite,
            "expectation": self.expectation,
            "column": self.column,
            "name": self.name,
            "success": self.success,
            "severity": self.severity,
            "rule": self.rule,
            "observed": plain(self.observed),
            "unexpected": plain(self.unexpected),
            "unexpected_count": self.unexpected_count,
        }

    def evidence(self) -> str:
        """What was seen, briefly: the unexpected sample, else the observed value."""
        parts = []
        if self.unexpected_count:
            parts.append(f"{self.unexpected_count} unexpected")
        if self.unexpected:
            parts.append("e.g. " + ", ".join(_short(v) for v in self.unexpected[:3]))
        elif self.observed is not None:
            parts.append(f"observed {_short(self.observed)}")
        return "; ".join(parts)


def _short(value: Any, limit: int = 80) -> str:
    text = repr(plain(value))
    return text if len(text) <= limit else text[: limit - 3] + "..."


@dataclass(frozen=True)
class ValidationReport:
    results: tuple[ExpectationResult, ...]
    suites: tuple[str, ...]  # the suites that ran, in order
    has_previous: bool = False

    @property
    def success(self) -> bool:
        return all(r.success for r in self.results if r.critical)

    @property
    def failed(self) -> list[str]:
        """Names of the failed critical expectations ("suite.expectation(column)")."""
        return [r.name for r in self.results if r.critical and not r.success]

    @property
    def flagged(self) -> list[str]:
        """Names of the failed warning-level expectations (published, but worth a look)."""
        return [r.name for r in self.results if not r.critical and not r.success]

    @property
    def failure_kind(self) -> str | None:
        """None (passed), ``validity`` (quarantine) or ``drift`` (an unconfirmed restructure)."""
        return failure_kind(self.failed)

    def to_dict(self) -> dict[str, Any]:
        return {
            "success": self.success,
            "failure_kind": self.failure_kind,
            "failed": self.failed,
            "flagged": self.flagged,
            "suites": list(self.suites),
            "drift_checked": self.has_previous,
            "expectations": len(self.results),
            "results": [r.to_dict() for r in self.results],
        }

    def reason(self) -> str:
        """One line naming the failed expectations (the ValidationFailed message)."""
        failed = self.failed
        if not failed:
            return "all expectations passed"
        shown = ", ".join(failed[:6]) + (f" and {len(failed) - 6} more" if len(failed) > 6 else "")
        return (
            f"{self.failure_kind} failure: {len(failed)} expectation{'s' if len(failed) != 1 else ''} failed: {shown}"
        )

    def summary_lines(self) -> list[str]:
        verdict = "passed" if self.success else "FAILED"
        drift = "with drift guards" if self.has_previous else "no previous snapshot: drift guards skipped"
        lines = [
            f"validation {verdict}: {len(self.results)} expectations in {len(self.suites)} suites "
            f"({len(self.failed)} failed, {len(self.flagged)} flagged; {drift})"
        ]
        for r in self.results:
            if not r.success:
                label = "failed " if r.critical else "flagged"
                lines.append(f"  {label} {r.name}: {r.rule}" + (f" [{r.evidence()}]" if r.evidence() else ""))
        return lines
