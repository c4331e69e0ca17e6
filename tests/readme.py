"""The README's dataset reference is generated from pipeline/schema.py (between markers).

`python -m tests.readme` rewrites it; tests/test_readme.py fails when it is stale.
"""

from __future__ import annotations

import sys
from pathlib import Path

from pipeline.schema import DATASETS

README = Path(__file__).resolve().parents[1] / "README.md"
BEGIN = "<!-- datasets:begin (generated from pipeline/schema.py by `python -m tests.readme`) -->"
END = "<!-- datasets:end -->"


def reference() -> str:
    out = [BEGIN, ""]
    for name, dataset in DATASETS.items():
        out.append(f"#### `{name}` — {dataset.title}")
        out.append("")
        order = "page order" if dataset.document_order else "sorted by key"
        out.append(f"Key: `{', '.join(dataset.key)}` ({order}).")
        out.append("")
        out.append("| column | type | meaning |")
        out.append("| --- | --- | --- |")
        for col in dataset.published().columns:
            desc = col.description.replace("|", "\\|")
            if col in dataset.published_extra:
                desc += " (published files only: computed from the history)"
            kind = col.type + ("" if col.nullable else ", not null") + (", closed vocabulary" if col.enum else "")
            out.append(f"| `{col.name}` | {kind} | {desc} |")
        out.append("")
    out.append(END)
    return "\n".join(out)


def render(text: str) -> str:
    start, end = text.index(BEGIN), text.index(END) + len(END)
    return text[:start] + reference() + text[end:]


if __name__ == "__main__":
    README.write_text(render(README.read_text(encoding="utf-8")), encoding="utf-8")
    sys.exit(0)
