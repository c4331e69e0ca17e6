"""An unchanged page costs only what the check needs: the page is not parsed or validated, so neither
lxml, BeautifulSoup, Great Expectations nor (for a file source) httpx is imported (timings are in `make bench`, not here).

pandas and pyarrow are not asserted: the run's recovery check (``pipeline.store.recovery``) reads the change
history on every run."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from pipeline.cli import main

SAMPLE = Path(__file__).parent / "fixtures" / "learn_sample.html"
HEAVY = ("lxml", "bs4", "great_expectations", "httpx")  # httpx only for URL sources (pipeline.fetch)

_PROBE = """
import json, sys
from pipeline.cli import main
code = main(sys.argv[1:])
print(json.dumps({"code": code, "heavy": [m for m in %r if m in sys.modules]}))
"""


def test_an_unchanged_file_source_imports_nothing_heavy(tmp_path: Path) -> None:
    args = ["run", "--source", str(SAMPLE), "--snapshots", str(tmp_path / "s"), "--output", str(tmp_path / "o")]
    args += ["--fetched-at", "2025-03-30T10:00:00Z"]
    assert main(args) == 0
    done = subprocess.run(
        [sys.executable, "-c", _PROBE % (HEAVY,), *args], capture_output=True, text=True, check=True, timeout=120
    )
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert "unchanged" in done.stderr
    assert found == {"code": 0, "heavy": []}
