"""`make bench` figures for normalise: what it adds to extract (never asserted in tests).

The target against ``pandas.read_html`` is the extract section's: there both are timed in the same rounds,
so a busy spell cannot land on one side only.
"""

from __future__ import annotations

from tests.bench import _median_ms, _pages


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
    return {
        "pages": len(pages),
        "extract+normalise median ms/page": round(total_ms, 2),
        "normalise alone median ms/page": round(normalise_ms, 2),
        "share of extract+normalise that is normalise": round(normalise_ms / total_ms, 2),
    }
