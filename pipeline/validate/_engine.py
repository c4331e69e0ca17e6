"""Great Expectations, set up once per process: an ephemeral context, the committed suites, one batch each.

Importing GX costs seconds, so nothing here runs until the first validation; the context, suites and
batch definitions are then kept for the life of the process (a backfill validates hundreds of
revisions with one setup). No GX files on disk, no analytics, no progress bars.

Suites checking the same frame share one Validator (one batch). GX 1.x rebuilds each expectation's
configuration from its pydantic model for every key it reads (most of the validation time); caching that
would mean patching GX's internals, which the project does not do: GX is used through its public API only.
"""

from __future__ import annotations

import copy
import hashlib
import importlib.util
import os
import pickle
import sys
import threading
import types
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .result import SAMPLE, ExpectationResult

if TYPE_CHECKING:
    import pandas as pd

CACHE_SIZE = 512  # suite results kept per process, by the content of the frame they checked
MAX_LISTED = 20  # distinct-value expectations list every unexpected value; keep the JSON small
RESULT_FORMAT = {"result_format": "BASIC", "partial_unexpected_count": SAMPLE}
# A first pass asks only pass/fail (GX then skips the unexpected-value lists and counts); a suite
# with a failure runs again with RESULT_FORMAT, so a failure still reports what was seen.
QUICK_FORMAT = {"result_format": "BOOLEAN_ONLY"}
_ENGINES: dict[Path, _Engine] = {}
_LOCK = threading.Lock()
_IMPORT_LOCK = threading.RLock()  # a deferred module may load while GX imports


def engine(directory: Path, names: tuple[str, ...] | None = None) -> _Engine:
    """The process-wide engine for the suites ``names`` in ``directory`` (built on first use; default:
    the default page's suites)."""
    key = directory.resolve()
    with _LOCK:
        if key not in _ENGINES:
            from .suites import SUITES, load_suites

            _ENGINES[key] = _Engine(load_suites(key, names or SUITES))
        return _ENGINES[key]


# Modules GX imports at start-up for expectations the suites never use (KL divergence, KS tests) and for
# their charts: scipy.stats is about a second of the GX import and 54 MB of RSS, altair (with jsonschema)
# 0.35 s (measured 2026-12-03). Each is a stand-in module until something reads one of its attributes;
# then the real module loads, so an expectation or renderer that needs one still gets it.
DEFERRED = ("scipy.stats", "altair")


class _Deferred(types.ModuleType):
    """A module's stand-in in ``sys.modules``. importlib's LazyLoader cannot serve here: on Python 3.11 a
    plain ``import altair`` reads the module's ``__spec__``, which makes a lazy module load at once. The
    stand-in carries ``__spec__`` and ``__name__`` itself; any other attribute (``__path__`` too, so no
    submodule is imported under an unloaded package) loads the real module first."""

    def __getattr__(self, attribute: str) -> Any:
        return getattr(_load(self.__name__), attribute)


def _load(name: str) -> types.ModuleType:
    with _IMPORT_LOCK:
        if isinstance(sys.modules.get(name), _Deferred):
            del sys.modules[name]
        return importlib.import_module(name)


def _defer(name: str) -> None:
    if name in sys.modules:
        return
    try:
        spec = importlib.util.find_spec(name)
    except ImportError:
        return
    if spec is None:
        return
    stand_in = _Deferred(name)
    stand_in.__spec__ = spec
    sys.modules[name] = stand_in
    parent, _, child = name.rpartition(".")
    if parent:  # ``from scipy import stats`` finds the attribute and imports nothing
        setattr(sys.modules[parent], child, stand_in)


def import_gx() -> Any:
    """Import GX (once; safe from several threads) with analytics off and :data:`DEFERRED` lazy."""
    with _IMPORT_LOCK:
        os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
        for name in DEFERRED:
            _defer(name)
        import great_expectations as gx
        from great_expectations.execution_engine import pandas_execution_engine

        # GX hashes every small DataFrame into a batch "fingerprint" marker we never read: skip it
        pandas_execution_engine.HASH_THRESHOLD = 0
        return gx


class _Engine:
    def __init__(self, specs: dict[str, dict[str, Any]]) -> None:
        gx = import_gx()
        from great_expectations.core.expectation_suite import ExpectationSuite
        from great_expectations.data_context.types.base import ProgressBarsConfig

        self.context = gx.get_context(mode="ephemeral")
        self.context.variables.progress_bars = ProgressBarsConfig(globally=False)
        source = self.context.data_sources.add_pandas("supportmatrix")
        self.suites: dict[str, Any] = {}
        self.batches: dict[str, Any] = {}
        self.order: dict[str, dict[str, int]] = {}
        self.columns: dict[str, list[str]] = {}
        self.cache: OrderedDict[tuple[str, str], list[ExpectationResult]] = OrderedDict()
        for name, spec in specs.items():
            self.columns[name] = _referenced(spec["expectations"])
            suite = self.context.suites.add(ExpectationSuite(**copy.deepcopy(spec)))
            self.suites[name] = suite
            # GX returns results in its own order; report them in the suite file's order
            self.order[name] = {str(e.id): i for i, e in enumerate(suite.expectations)}
            asset = source.add_dataframe_asset(name)
            self.batches[name] = asset.add_batch_definition_whole_dataframe("whole")

    def run(self, name: str, frame: pd.DataFrame) -> list[ExpectationResult]:
        """The results of suite ``name`` on ``frame``."""
        return self.run_all([(name, frame)])[name]

    def run_all(self, checks: Sequence[tuple[str, pd.DataFrame]]) -> dict[str, list[ExpectationResult]]:
        """The results of every (suite, frame), by suite; suites given the same frame object share a Validator."""
        # Only the columns the suites name (plus every row) reach GX: columns and types are the
        # ``schema`` suite's job. Consecutive revisions mostly repeat a dataset unchanged, so results
        # are cached by the content checked: a backfill then runs GX for what changed only.
        out: dict[str, list[ExpectationResult]] = {}
        pending: dict[int, tuple[pd.DataFrame, list[tuple[str, tuple[str, str]]]]] = {}
        for name, frame in checks:
            key = (name, self._digest(name, frame))
            with _LOCK:
                if key in self.cache:
                    self.cache.move_to_end(key)
                    out[name] = list(self.cache[key])
                    continue
            pending.setdefault(id(frame), (frame, []))[1].append((name, key))
        for frame, names in pending.values():
            found = self._validate(frame, [name for name, _ in names])
            with _LOCK:
                for name, key in names:
                    self.cache[key] = found[name]
                    out[name] = list(found[name])
                while len(self.cache) > CACHE_SIZE:
                    self.cache.popitem(last=False)
        return out

    def _digest(self, name: str, frame: pd.DataFrame) -> str:
        """The content suite ``name`` checks in ``frame``: each column it reads, with its dtype and values
        (pickles end with a STOP code, so the concatenation is unambiguous). Reading the columns one by
        one skips the copy a sub-frame would make, half the cost of the key."""
        digest = hashlib.sha256()
        for column in self._present(name, frame):
            series = frame[column]
            digest.update(pickle.dumps((column, str(series.dtype), series.tolist()), protocol=5))
        return digest.hexdigest()

    def _present(self, name: str, frame: pd.DataFrame) -> list[str]:
        present = [c for c in self.columns[name] if c in frame.columns]
        return present or list(frame.columns[:1])

    def _validate(self, frame: pd.DataFrame, names: list[str]) -> dict[str, list[ExpectationResult]]:
        # GX's V1 Validator on our batch definition (Batch.validate would build the batch twice; a
        # ValidationDefinition would also store every result in the context, growing during a backfill)
        from great_expectations.validator.v1_validator import Validator

        columns = list(dict.fromkeys(c for name in names for c in self._present(name, frame)))
        validator = Validator(
            batch_definition=self.batches[names[0]],
            batch_parameters={"dataframe": frame[columns]},
            result_format=QUICK_FORMAT,
        )
        found: dict[str, list[ExpectationResult]] = {}
        outcomes: dict[str, Any] = {name: validator.validate_expectation_suite(self.suites[name]) for name in names}
        failed = [name for name in names if not outcomes[name].success]
        if failed:
            validator.result_format = RESULT_FORMAT
            outcomes.update({name: validator.validate_expectation_suite(self.suites[name]) for name in failed})
        for name in names:
            order = self.order[name]
            ranked = sorted(outcomes[name].results, key=lambda r: order.get(str(r.expectation_config.id), len(order)))
            found[name] = [_result(name, r) for r in ranked]
        return found

    def clear_cache(self) -> None:
        with _LOCK:
            self.cache.clear()


def _referenced(expectations: list[dict[str, Any]]) -> list[str]:
    """The columns a suite's expectations name, in order of first mention."""
    names: list[str] = []
    for expectation in expectations:
        kwargs = expectation["kwargs"]
        for key in ("column", "column_A", "column_B"):
            if kwargs.get(key):
                names.append(str(kwargs[key]))
        if expectation["type"] == "expect_compound_columns_to_be_unique":
            names.extend(str(c) for c in kwargs["column_list"])
    return list(dict.fromkeys(names))


def _columns(type_: str, kwargs: dict[str, Any]) -> str | None:
    if kwargs.get("column"):
        return str(kwargs["column"])
    if kwargs.get("column_A"):
        return f"{kwargs['column_A']},{kwargs['column_B']}"
    if type_ == "expect_compound_columns_to_be_unique":
        return ",".join(kwargs["column_list"])
    return None  # table-level: the column list would be noise in a name


def _result(suite: str, r: Any) -> ExpectationResult:
    config = r.expectation_config
    kwargs = dict(config.kwargs)
    found: dict[str, Any] = dict(r.result or {})
    column = _columns(config.type, kwargs)
    observed = found.get("observed_value")
    unexpected = list(found.get("partial_unexpected_list") or [])
    count = found.get("unexpected_count")
    if "partial_missing_list" in found:  # "contain set": what is missing is the useful sample
        unexpected = list(found["partial_missing_list"])
        count = found.get("missing_count")
    details = found.get("details") or {}
    if not r.success and details.get("mismatched"):
        unexpected = list(details["mismatched"])[:SAMPLE]
    info = r.exception_info or {}
    if isinstance(info, dict) and info.get("raised_exception"):
        observed = f"error: {str(info.get('exception_message', '')).splitlines()[0][:200]}"
    elif config.type == "expect_table_columns_to_match_ordered_list":
        observed = None if r.success else observed
    severity = getattr(config.severity, "value", config.severity) or "critical"
    return ExpectationResult(
        suite=suite,
        expectation=config.type,
        column=column,
        success=bool(r.success),
        severity=str(severity),
        rule=str((config.meta or {}).get("rule", "")),
        observed=observed,
        unexpected=unexpected[:MAX_LISTED],
        unexpected_count=int(count) if count is not None else None,
    )
