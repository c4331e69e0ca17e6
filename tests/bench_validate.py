"""`make bench` figures for validation (never asserted in tests): GX import, setup, time per revision."""

from __future__ import annotations

import itertools
import statistics
import subprocess
import sys
import time
from typing import Any

from tests.bench import _pages

_GX_IMPORT = (
    "import os, time\nos.environ.setdefault('GX_ANALYTICS_ENABLED', 'False')\n"
    "t = time.perf_counter()\nimport great_expectations\nprint(time.perf_counter() - t)"
)


def _median_ms(samples: list[float]) -> float:
    return round(statistics.median(samples) * 1000, 1)


def _floor_ms(gx: Any, pairs: list[tuple[dict | None, dict]]) -> list[float]:
    """Per revision: the sum of every expectation's own time in GX, each run alone through the public
    ``Validator.validate_expectation`` on a Validator built (and warmed) beforehand, the derived frames
    made beforehand. No Validator, frame or suite overhead is left in it: it is what the suites cost
    through GX's API however the batches are arranged (four expectations in one suite measure the sum of
    the four)."""
    from great_expectations.validator.v1_validator import Validator

    from pipeline.validate import _derive
    from pipeline.validate._engine import QUICK_FORMAT
    from pipeline.validate.suites import DATASET_SUITES, suite_names

    names = suite_names(None)
    totals = []
    for previous, frames in pairs:
        derived = _derive.derived(frames, previous, None)
        total = 0.0
        for name in names:
            frame = frames.get(name) if name in DATASET_SUITES else derived.get(name)
            if frame is None:
                continue
            validator = Validator(
                batch_definition=gx.batches[name],
                batch_parameters={"dataframe": frame[gx._present(name, frame)]},
                result_format=QUICK_FORMAT,
            )
            validator.validate_expectation_suite(gx.suites[name])
            for expectation in gx.suites[name].expectations:
                start = time.perf_counter()
                validator.validate_expectation(expectation)
                total += time.perf_counter() - start
        totals.append(total)
    return totals


def bench_validate() -> dict[str, float | str]:
    from pipeline.steps import build
    from pipeline.validate import validate
    from pipeline.validate._engine import engine, import_gx
    from pipeline.validate.suites import SUITES_DIR
    from tests.validate_support import fetched

    done = subprocess.run([sys.executable, "-c", _GX_IMPORT], capture_output=True, text=True, check=True)
    gx_import_s = float(done.stdout.strip().splitlines()[-1])

    import_gx()
    start = time.perf_counter()
    gx = engine(SUITES_DIR)
    setup_ms = (time.perf_counter() - start) * 1000

    pages = _pages()
    revisions = [build(body, fetched(body)).frames for body in pages]
    step = max(1, len(revisions) // 40)  # an even spread of the history keeps the bench short
    sample = revisions[::step]
    for frames in sample[:3]:  # warm-up: lazy imports inside GX and pandas
        validate(frames)

    def cold(frames: dict, previous: dict | None) -> tuple[float, float]:
        """(wall, CPU) seconds of a full Great Expectations run, as for a new page in the daily job."""
        gx.clear_cache()
        wall, cpu = time.perf_counter(), time.process_time()
        validate(frames, previous=previous)
        return time.perf_counter() - wall, time.process_time() - cpu

    alone = [cold(frames, None) for frames in sample]
    with_drift = [cold(frames, previous) for previous, frames in itertools.pairwise(sample)] or alone
    floor = _floor_ms(gx, list(itertools.pairwise(sample)) or [(None, frames) for frames in sample])
    gx.clear_cache()
    start = time.perf_counter()
    for previous, frames in zip([None, *revisions], revisions):
        validate(frames, previous=previous)
    replay_ms = (time.perf_counter() - start) * 1000 / len(revisions)
    expectations = len(validate(revisions[-1], previous=revisions[-1]).results)
    return {
        "revisions": f"{len(sample)} timed cold, {len(revisions)} replayed",
        "expectations per revision (with drift)": expectations,
        "great_expectations import s (fresh interpreter)": round(gx_import_s, 2),
        "context + suites setup ms (once per process)": round(setup_ms, 1),
        "validate median ms/revision, no previous (target <= 120)": _median_ms([w for w, _ in alone]),
        "validate median ms/revision, with drift guards (target <= 120)": _median_ms([w for w, _ in with_drift]),
        "  same, CPU ms (less sensitive to a busy machine)": _median_ms([c for _, c in with_drift]),
        "  GX floor: sum of each expectation alone on a prebuilt Validator, median ms/revision": _median_ms(floor),
        "replay mean ms/revision (results cached by dataset content)": round(replay_ms, 1),
    }
