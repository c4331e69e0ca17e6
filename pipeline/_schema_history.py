"""The history datasets of the registry: ``changes`` (typed changes) and ``timeline`` (state intervals).

Pure declarations, split from :mod:`pipeline.schema` (which imports this module
last, so both register in ``DATASETS``).
"""

from __future__ import annotations

from .schema import Dataset, _c, register
from .vocabulary import CHANGE_DATASETS, CHANGE_KINDS, ENVIRONMENTS, PLATFORMS, SEVERITIES

# -- change history (pipeline.diff) -------------------------------------------

CHANGES = register(
    Dataset(
        "changes",
        "One row per typed support change between two consecutive good revisions",
        (
            _c("change_id", "string", "sha256 (first 16 hex) of the change's content: stable, for dedupe.", False),
            _c(
                "kind",
                "string",
                "added, removed, promoted, demoted, state_changed, note_changed, attribute_changed, footnote_changed, moved, extended, narrowed, changed; baseline (a bookkeeping record, not alerted); restructured, transient for structural events; accepted (a quarantined revision a person accepted).",
                False,
                CHANGE_KINDS,
            ),
            _c(
                "dataset",
                "string",
                "The dataset the change is about (feature_support, features, support_items, os_versions, notes, support; page for baseline records).",
                False,
                CHANGE_DATASETS,
            ),
            _c("environment", "string", "Canonical environment."),
            _c("feature", "string", "Feature name (feature datasets)."),
            _c("resource", "string", "Resource (feature_support)."),
            _c("platform", "string", "Platform (feature_support)."),
            _c("subject", "string", "What changed in other datasets: the item, OS name or note text."),
            _c("field", "string", "The column that changed (state, note, plans, version range, ...)."),
            _c("old", "string", "Old value (JSON text for lists), null when added."),
            _c("new", "string", "New value, null when removed."),
            _c("summary", "string", "One readable sentence.", False),
            _c(
                "severity",
                "string",
                "high (removals, demotions), medium (state/range changes), low (notes, wording).",
                False,
                SEVERITIES,
            ),
            _c("old_revision", "string", "Snapshot id of the older revision."),
            _c("new_revision", "string", "Snapshot id of the newer revision.", False),
            _c("old_ms_date", "string", "ms.date of the older revision."),
            _c("new_ms_date", "string", "ms.date of the newer revision."),
            _c("old_git_commit_id", "string", "Source commit of the older revision."),
            _c("new_git_commit_id", "string", "Source commit of the newer revision."),
            _c("detected_at", "timestamp", "fetched_at (or commit time) of the newer revision.", False),
        ),
        key=("detected_at", "new_revision", "change_id"),
    )
)

TIMELINE = register(
    Dataset(
        "timeline",
        "One row per state interval of every feature x resource x platform: the full state history",
        (
            _c("environment", "string", "Canonical environment.", False, ENVIRONMENTS),
            _c("feature_key", "string", "The feature's key (today's for rows still on the page).", False),
            _c("feature", "string", "Feature name as shown in that interval's last revision.", False),
            _c("resource", "string", "One supported resource ('(none)' when the table names none).", False),
            _c("platform", "string", "Linux, Windows or Any.", False, PLATFORMS),
            _c("interval", "int64", "0-based position of the interval among the row's intervals, oldest first.", False),
            _c(
                "state",
                "string",
                "The release state during the interval: GA, Preview, Not available, Unknown, null (an empty cell), or 'A / B' where one revision listed the row twice.",
            ),
            _c(
                "valid_from",
                "timestamp",
                "Detection time of the revision the state began in; null when it began before the history did.",
            ),
            _c("valid_from_ms_date", "string", "ms.date of that revision."),
            _c("valid_from_git_commit_id", "string", "Source commit of that revision."),
            _c(
                "valid_to",
                "timestamp",
                "Detection time of the revision where the state ended (exclusive); null while it holds.",
            ),
            _c("valid_to_ms_date", "string", "ms.date of that revision."),
            _c("current", "bool", "The interval holds in the published revision.", False),
        ),
        key=("environment", "feature_key", "resource", "platform", "interval"),
    )
)
