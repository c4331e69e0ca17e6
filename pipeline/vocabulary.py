"""Closed vocabularies of the published datasets (pure data).

What normalise and diff produce, in one place: the registry (:mod:`pipeline.schema`)
puts them into the JSON Schemas and Table Schemas as ``enum`` so third-party
validators can check them; the validation suites check the same sets.
"""

from __future__ import annotations

STATES = ("GA", "Preview", "Not available", "Unknown")


def _environments() -> tuple[str, ...]:
    """Every environment a page's spec names, in the specs' display order (pipeline/pages/*.toml)."""
    from .pages import all_pages

    found = (e for spec in all_pages() if spec.environments is not None for e in spec.environments.order)
    return tuple(dict.fromkeys(found))


ENVIRONMENTS = _environments()
PLATFORMS = ("Linux", "Windows", "Any")
NOTE_KINDS = ("NOTE", "CAUTION", "IMPORTANT", "TIP", "WARNING")
TABLE_KINDS = ("feature", "aspect", "other")
PROVENANCES = ("fetched", "file", "reconstructed", "git")
SEVERITIES = ("high", "medium", "low")
CHANGE_DATASETS = ("feature_support", "features", "support_items", "os_versions", "notes", "page")
# the diff's kinds, and the history events of the snapshot store (baseline) and of structural
# validation (restructured, transient)
CHANGE_KINDS = (
    "added",
    "removed",
    "promoted",
    "demoted",
    "state_changed",
    "note_changed",
    "attribute_changed",
    "footnote_changed",
    "moved",
    "extended",
    "narrowed",
    "changed",
    "baseline",
    "restructured",
    "transient",
)
# feature_support.resource of a feature row that names no resource: a key field is never empty
# (Table Schema, and so frictionless, reads "" as missing)
NO_RESOURCE = "(none)"
