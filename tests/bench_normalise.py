"""`make bench` figures for normalise: what it adds to extract, against pandas.read_html (never asserted in tests)."""

from __future__ import annotations

from tests.bench import _median_ms, _pages, _read_html


def bench_normalise() -> dict[str, float | str]:
    from pipeline.extract import extract
    from pipeline.normalise import normalise

    pages = _pages()
    documents = [extract(body) for body in pages]
    for document in documents[:5]:  # warm-up: imports
        normalise(document)
    by_id = {id(body): doc for body, doc in zip(pages, documents)}

    def both(body: bytes) -> object:
        return normalise(extract(body))

    def only(body: bytes) -> object:
        return normalise(by_id[id(body)])

    total_ms = _median_ms(both, pages)
    normalise_ms = _median_ms(only, pages)
    read_html_ms = _median_ms(_read_html, pages)
    return {
        "pages": len(pages),
        "extract+normalise median ms/page": round(total_ms, 2),
        "normalise alone median ms/page": round(normalise_ms, 2),
        "read_html(lxml) median ms/page": round(read_html_ms, 2),
        "ratio extract+normalise/read_html, medians of best-of-3 (target <= 1.0)": round(total_ms / read_html_ms, 2),
    }
