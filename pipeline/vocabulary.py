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
CHANGE_DATASETS = ("feature_support", "features", "support_items", "os_versions", "notes", "page", "support")
# the diff's kinds, and the history events of the snapshot store (baseline), of structural
# validation (restructured, transient) and of a person's ``accept`` (accepted)
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
    "accepted",
)
# the kinds above that are events about the page or the history, not a change of support: titles count
# them apart ("2 changes (2 removed) and 1 event (1 accepted)"), so an alert never overstates what changed
EVENT_KINDS = ("baseline", "restructured", "transient", "accepted")
# feature_support.resource of a feature row that names no resource: a key field is never empty
# (Table Schema, and so frictionless, reads "" as missing)
NO_RESOURCE = "(none)"

# -- the generic support matrix (dataset ``support``, pipeline.normalise.matrix) ---------------------
# One closed set for every page's cells; the rules and their reasons are in pipeline/normalise/matrix.py.
SUPPORTED = "Supported"
NOT_SUPPORTED = "Not supported"
NOT_APPLICABLE = "Not applicable"
VALUE = "Value"  # the cell is not a support statement: a permission, a platform list, a plan name
SUPPORT_STATES = ("GA", "Preview", SUPPORTED, NOT_SUPPORTED, NOT_APPLICABLE, VALUE, "Unknown")
# Words a cell may start with, and the state each says. Matched case-insensitively at the start of the
# cell, longest first, followed by nothing, a parenthetical or a "-"/":" and a qualifier.
SUPPORT_WORDS: tuple[tuple[str, str], ...] = (
    ("general availability", "GA"),
    ("generally available", "GA"),
    ("ga", "GA"),
    ("public preview", "Preview"),
    ("limited preview", "Preview"),
    ("private preview", "Preview"),
    ("preview", "Preview"),
    ("supported", SUPPORTED),
    ("yes", SUPPORTED),
    ("v", SUPPORTED),  # how the containers page typed a check mark in 2022 ("V", "V (Preview)")
    ("not supported", NOT_SUPPORTED),
    ("unsupported", NOT_SUPPORTED),
    ("not available", NOT_SUPPORTED),
    ("no", NOT_SUPPORTED),
    ("x", NOT_SUPPORTED),
    ("not applicable", NOT_APPLICABLE),
    ("n/a", NOT_APPLICABLE),
    ("na", NOT_APPLICABLE),
)
# Marks: whatever follows a mark is its qualifier ("✔ Available on: Windows Server 2022").
SUPPORT_MARKS: tuple[tuple[str, str], ...] = (
    ("✔️", SUPPORTED),
    ("✔", SUPPORTED),
    ("✓", SUPPORTED),
    ("✅", SUPPORTED),
    ("☑", SUPPORTED),
    ("✖️", NOT_SUPPORTED),
    ("✖", NOT_SUPPORTED),
    ("✗", NOT_SUPPORTED),
    ("✘", NOT_SUPPORTED),
    ("❌", NOT_SUPPORTED),
)
# Dashes say "no" only as the whole cell ("-GKE" is a resource list, not a state).
SUPPORT_DASHES = ("-", "--", "—", "–")
# The release-state view of a support state (the containers page's feature tables): what is not
# offered is "Not available" there; a support state with no release-state meaning is "Unknown".
RELEASE_STATE_OF = {"GA": "GA", "Preview": "Preview", NOT_SUPPORTED: "Not available", NOT_APPLICABLE: "Not available"}
