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

from tests.corpus import html_pages

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


CORPUS_NOTE = "measured on the corpus: 192 revisions 2022-03..2024-12 (the larger 2025-2026 pages are not in ../shared)"


def _interleaved_ms(fns: dict[str, Callable[[bytes], object]], pages: list[bytes]) -> dict[str, list[float]]:
    """Per page, each function in turn (so a busy moment hits all of them alike): ms per page."""
    out: dict[str, list[float]] = {name: [] for name in fns}
    for body in pages:
        for name, fn in fns.items():
            start = time.perf_counter()
            fn(body)
            out[name].append((time.perf_counter() - start) * 1000)
    return out


def bench_extract() -> dict[str, float | str]:
    import lxml.html

    from pipeline.extract import extract
    from pipeline.extract.datasets import extracted_frames
    from pipeline.fetch import Fetched
    from pipeline.normalise import normalise
    from tests.extract_bs4_support import extract_bs4

    pages = _pages()
    about = Fetched("bench.html", b"", None, "2025-01-01T00:00:00Z", None, None, None, "file")

    def datasets(body: bytes) -> object:
        document = extract(body)
        return extracted_frames(document, about), normalise(document)

    def datasets_bs4(body: bytes) -> object:  # the former path: a BeautifulSoup tree, walked
        document = extract_bs4(body)
        return extracted_frames(document, about), normalise(document)

    fns = {"datasets": datasets, "read_html": _read_html, "datasets_bs4": datasets_bs4, "model": extract}
    for body in pages[:5]:  # warm-up: imports, caches
        for fn in fns.values():
            fn(body)
    runs = [_interleaved_ms(fns, pages) for _ in range(3)]
    # per page the best of 3 rounds, then the median over pages; the ratio from the same rounds
    best = {name: [min(r[name][i] for r in runs) for i in range(len(pages))] for name in fns}
    med = {name: statistics.median(values) for name, values in best.items()}
    ratio = statistics.median(d / r for d, r in zip(best["datasets"], best["read_html"]))
    ratio_bs4 = statistics.median(d / r for d, r in zip(best["datasets_bs4"], best["read_html"]))
    lxml_ms = _median_ms(lxml.html.fromstring, pages)
    rss = _peak_rss_mb(
        "from tests.corpus import html_pages\nfrom pipeline.extract import extract\n"
        "pages = html_pages() or []\n[extract(p.read_bytes()) for p in pages]"
    )
    return {
        "pages": len(pages) if len(pages) > 1 else "1 (the sample page: ../shared/corpus not found)",
        "about": CORPUS_NOTE if len(pages) > 1 else "the sample page only",
        "extract+normalise to all 9 datasets in memory median ms/page": round(med["datasets"], 2),
        "the same by the former BeautifulSoup walker (with today's frames) median ms/page": round(
            med["datasets_bs4"], 2
        ),
        "extract to the document model median ms/page": round(med["model"], 2),
        "read_html(lxml) median ms/page": round(med["read_html"], 2),
        "lxml.html.fromstring median ms/page": round(lxml_ms, 2),
        "ratio extract+normalise/read_html, median over pages (target <= 1.0)": round(ratio, 2),
        "ratio with the former BeautifulSoup walker (today's frames)/read_html, same rounds": round(ratio_bs4, 2),
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
    only = set(sys.argv[1:])  # `python -m tests.bench extract backfill` runs those sections only
    results = {}
    for name, fn in sections:
        if only and name not in only:
            continue
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
