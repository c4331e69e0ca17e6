"""`make bench`: speed and memory figures, printed with their targets (never asserted in tests).

Each stage may add a ``tests/bench_<stage>.py`` with a ``bench_<stage>()`` returning a dict of
figures; this runner prints the extractor's own figures, then every stage's.
"""

from __future__ import annotations

import importlib
import io
import json
import pkgutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from .corpus import html_pages

SAMPLE = Path(__file__).parent / "fixtures" / "learn_sample.html"


def _pages() -> list[bytes]:
    pages = [p.read_bytes() for p in html_pages()]
    return pages or [SAMPLE.read_bytes()]


def _median_ms(fn: Callable[[bytes], object], pages: list[bytes], repeat: int = 3) -> float:
    """Median over pages of the best of `repeat` runs: robust to a busy machine."""
    per_page = []
    for body in pages:
        best = float("inf")
        for _ in range(repeat):
            start = time.perf_counter()
            fn(body)
            best = min(best, time.perf_counter() - start)
        per_page.append(best)
    return statistics.median(per_page) * 1000


def _read_html(body: bytes) -> object:
    import pandas as pd

    try:
        return pd.read_html(io.BytesIO(body), flavor="lxml")
    except ValueError:
        return None


def _peak_rss_mb(code: str) -> float:
    """Peak RSS of a fresh interpreter running `code` (its own ru_maxrss, in MB)."""
    probe = code + "\nimport resource, sys\nprint(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
    out = subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True, text=True)
    return int(out.stdout.strip().splitlines()[-1]) / 1024


def bench_extract() -> dict[str, float | str]:
    import lxml.html

    from pipeline.datasets import extracted_frames
    from pipeline.extract import extract
    from pipeline.fetch import Fetched

    pages = _pages()
    about = Fetched("bench.html", b"", None, "2025-01-01T00:00:00Z", None, None, None, "file")

    def to_datasets(body: bytes) -> object:
        return extracted_frames(extract(body), about)

    for body in pages[:5]:  # warm-up: imports, caches
        to_datasets(body)
        _read_html(body)
    datasets_ms = _median_ms(to_datasets, pages)
    extract_ms = _median_ms(extract, pages)
    read_html_ms = _median_ms(_read_html, pages)
    lxml_ms = _median_ms(lxml.html.fromstring, pages)
    rss = _peak_rss_mb(
        "from tests.corpus import html_pages\nfrom pipeline.extract import extract\n"
        "pages = html_pages() or []\n[extract(p.read_bytes()) for p in pages]"
    )
    return {
        "pages": len(pages),
        "extract to datasets in memory (cells, tables, footnotes, notes, page) median ms/page": round(datasets_ms, 2),
        "extract to the document model median ms/page": round(extract_ms, 2),
        "read_html(lxml) median ms/page": round(read_html_ms, 2),
        "lxml.html.fromstring median ms/page": round(lxml_ms, 2),
        "ratio extract-to-datasets/read_html (target <= 1.5)": round(datasets_ms / read_html_ms, 2),
        "ratio extract-to-model/read_html": round(extract_ms / read_html_ms, 2),
        "ratio extract/lxml": round(extract_ms / lxml_ms, 1),
        "peak RSS of one extract process MB (target <= 250)": round(rss, 1),
    }


def main() -> int:
    sections: list[tuple[str, Callable[[], dict]]] = [("extract", bench_extract)]
    here = Path(__file__).parent
    for info in sorted(pkgutil.iter_modules([str(here)]), key=lambda m: m.name):
        if info.name.startswith("bench_"):
            module = importlib.import_module(f"tests.{info.name}")
            fn = getattr(module, info.name, None)
            if callable(fn):
                sections.append((info.name.removeprefix("bench_"), fn))
    results = {}
    for name, fn in sections:
        start = time.perf_counter()
        figures = fn()
        results[name] = figures
        print(f"\n== {name} ({time.perf_counter() - start:.1f} s)")
        for key, value in figures.items():
            print(f"  {key}: {value}")
    out = Path(".bench.json")
    out.write_text(json.dumps(results, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"\nfigures written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
