"""Every published dataset's columns, types, descriptions and keys, in one place.

The writers (Parquet/JSON/CSV), the data package descriptor, the JSON Schemas,
the validation suites and the README's column tables all read this registry,
so a column is described once.

Types: ``string``, ``int64``, ``bool``, ``list<string>``, ``timestamp`` and
``json``.  In memory (the frames normalise and diff produce, the history
records) a ``timestamp`` is UTC ISO-8601 text (``2024-06-01T08:00:00Z``) and a
``json`` column is JSON text of an object of strings; the writers in
:mod:`pipeline._io` store them as ``timestamp[us, UTC]`` and
``map<string, string>`` in Parquet, ISO-8601 text and a JSON object in JSON,
ISO-8601 text and JSON text in CSV.  ``enum`` closes a vocabulary: the JSON
Schemas and Table Schemas carry it, so validators can check it.

``SCHEMA_VERSION`` is the version of the published data contract (the
``version`` of ``datapackage.json``): bump it when a column, type or
vocabulary changes, and say so in CHANGELOG.md.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from .vocabulary import (
    ENVIRONMENTS,
    NO_RESOURCE,
    NOTE_KINDS,
    PLATFORMS,
    PROVENANCES,
    STATES,
    SUPPORT_STATES,
    TABLE_KINDS,
)

SCHEMA_VERSION = "2.2.0"


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    description: str
    nullable: bool = True
    enum: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Dataset:
    name: str
    title: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]  # primary key (unique within a revision)
    document_order: bool = False  # rows keep the page's order instead of being sorted by key
    # columns only the published files carry, computed at publish time from the history
    published_extra: tuple[Column, ...] = ()

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    def published(self) -> Dataset:
        """The dataset as published: its columns plus those computed from the history."""
        if not self.published_extra:
            return self
        return replace(self, columns=self.columns + self.published_extra, published_extra=())


def _c(name: str, type_: str, description: str, nullable: bool = True, enum: tuple[str, ...] | None = None) -> Column:
    return Column(name, type_, description, nullable, enum)


def memory_type(declared: str) -> str:
    """The type a declared column has in memory: timestamps and JSON objects are text there."""
    return "string" if declared in ("json", "timestamp") else declared


_SCOPE = (
    _c("section", "string", "The H2 heading the item sits under (null before the first H2)."),
    _c("tab", "string", "Label of the tab (cloud) panel the item sits in, or null."),
    _c("subheading", "string", "The nearest H3/H4 heading within its panel/section, or null."),
)

DATASETS: dict[str, Dataset] = {}


def register(dataset: Dataset) -> Dataset:
    DATASETS[dataset.name] = dataset
    return dataset


CELLS = register(
    Dataset(
        "cells",
        "One row per body cell of every article table",
        (
            _c("table_index", "int64", "0-based position of the table among all article tables.", False),
            *_SCOPE,
            _c("row", "int64", "0-based body row.", False),
            _c("col_index", "int64", "0-based column.", False),
            _c("column", "string", "Header text of the column ('' for Learn's padding columns)."),
            _c(
                "value",
                "string",
                "Visible cell text: footnote markers removed, <br> as one space, whitespace collapsed.",
            ),
            _c("footnotes", "list<string>", "Footnote markers in the cell, as shown (e.g. ['1','2'])."),
            _c("links", "list<string>", "Link targets (href) in the cell."),
        ),
        key=("table_index", "row", "col_index"),
    )
)

TABLES = register(
    Dataset(
        "tables",
        "One row per article table",
        (
            _c("table_index", "int64", "0-based position of the table among all article tables.", False),
            *_SCOPE,
            _c("headers", "list<string>", "Header cell texts."),
            _c("n_rows", "int64", "Number of body rows.", False),
            _c("n_cols", "int64", "Number of header columns.", False),
            _c(
                "kind",
                "string",
                "'feature' (has a Feature column), 'aspect' (Aspect/Details) or 'other'.",
                False,
                TABLE_KINDS,
            ),
        ),
        key=("table_index",),
    )
)

FOOTNOTES = register(
    Dataset(
        "footnotes",
        "One row per footnote definition",
        (
            _c("anchor", "string", "The definition's anchor name (what references link to).", False),
            _c("marker", "string", "The marker shown, e.g. '1'.", False),
            _c("text", "string", "The footnote's text."),
            _c("section", "string", "The H2 the definition sits under."),
            _c("tab", "string", "The tab panel the definition sits in, or null."),
            _c("table_index", "int64", "The table the footnote annotates (the nearest table before it that cites it)."),
        ),
        key=("section", "tab", "table_index", "anchor", "marker"),
        document_order=True,
    )
)

NOTES = register(
    Dataset(
        "notes",
        "One row per alert box (NOTE, CAUTION, IMPORTANT, TIP, WARNING)",
        (
            _c("kind", "string", "NOTE, CAUTION, IMPORTANT, TIP or WARNING.", False, NOTE_KINDS),
            _c("text", "string", "The alert's text (list items joined by spaces)."),
            _c("section", "string", "The H2 the alert sits under, or null."),
            _c("tab", "string", "The tab panel the alert sits in, or null."),
        ),
        key=("kind", "section", "tab", "text"),
        document_order=True,
    )
)

PAGE = register(
    Dataset(
        "page",
        "One row describing the page revision the datasets were built from",
        (
            _c("source", "string", "What was asked for: the URL or file path.", False),
            _c("final_url", "string", "The URL after redirects (null for files)."),
            _c("fetched_at", "timestamp", "When the page was fetched (or, from git, the commit time).", False),
            _c("http_status", "int64", "HTTP status of the fetch (null for files)."),
            _c("etag", "string", "ETag response header."),
            _c("last_modified", "string", "Last-Modified response header."),
            _c("sha256", "string", "sha256 of the raw page bytes (the snapshot id).", False),
            _c("bytes", "int64", "Size of the raw page in bytes.", False),
            _c("title", "string", "Page title without Learn's site suffix."),
            _c("canonical_url", "string", "<link rel=canonical> of the page."),
            _c("ms_date", "string", "The author's review date (ms.date), YYYY-MM-DD."),
            _c("updated_at", "string", "Learn's publish time (updated_at meta)."),
            _c("git_commit_id", "string", "Commit of the markdown source (git_commit_id meta)."),
            _c("document_id", "string", "Learn's document id."),
            _c(
                "provenance",
                "string",
                "'fetched' (live GET), 'file' (local file), 'reconstructed' (hand-made sample) or 'git' (rendered from the docs repo history).",
                False,
                PROVENANCES,
            ),
        ),
        key=("sha256",),
    )
)

EXTRACTED = ("cells", "tables", "footnotes", "notes", "page")

# -- tidy datasets (pipeline.normalise) ---------------------------------------

FEATURES = register(
    Dataset(
        "features",
        "One row per body row of every feature table",
        (
            _c("table_index", "int64", "The feature table the row comes from.", False),
            _c("row", "int64", "0-based body row within that table.", False),
            _c("section", "string", "The H2 the table sits under."),
            _c(
                "environment",
                "string",
                "Canonical environment, one of the page's (pipeline/pages: [environments] order; a raw label that cannot be mapped fails validation).",
                False,
                ENVIRONMENTS,
            ),
            _c("environment_label", "string", "The raw tab or section label the environment was read from."),
            _c(
                "domain", "string", "The 'Domain' column of older revisions (carried down over empty cells), else null."
            ),
            _c("feature", "string", "Feature name as shown.", False),
            _c("description", "string", "The Description column, or null."),
            _c("resources", "list<string>", "Supported resources, one per item (ACR, AKS, ...)."),
            _c("linux_state", "string", "GA, Preview, Not available, Unknown or null (empty cell).", enum=STATES),
            _c(
                "linux_note",
                "string",
                "Qualifier of the Linux state (e.g. 'Limited preview', 'currently supports audit logs').",
            ),
            _c("windows_state", "string", "GA, Preview, Not available, Unknown or null.", enum=STATES),
            _c("windows_note", "string", "Qualifier of the Windows state."),
            _c("enablement", "string", "Enablement method, or null."),
            _c("plans", "list<string>", "Plans (pricing tiers) that include the feature, canonical spelling."),
            _c(
                "clouds",
                "list<string>",
                "Cloud availability, canonical spelling (Commercial clouds, Azure Government, ...).",
            ),
            _c("footnotes", "list<string>", "Texts of the footnotes the row cites, resolved within the table's scope."),
            _c(
                "extra",
                "json",
                "Every other column, header to cell text (e.g. Sensor, Agentless/Agent-based): a map in Parquet, an object in JSON, JSON text in CSV.",
            ),
            _c(
                "feature_key",
                "string",
                "Stable key: environment|feature (normalised), unique within a revision.",
                False,
            ),
        ),
        key=("feature_key",),
    )
)

FEATURE_SUPPORT = register(
    Dataset(
        "feature_support",
        "One row per feature x resource x platform: the table change detection keys on",
        (
            _c("environment", "string", "Canonical environment.", False, ENVIRONMENTS),
            _c("section", "string", "The H2 the feature table sits under."),
            _c("feature", "string", "Feature name as shown.", False),
            _c("resource", "string", f"One supported resource ('{NO_RESOURCE}' when the table names none).", False),
            _c("platform", "string", "Linux, Windows, or Any (a single 'Release state' column).", False, PLATFORMS),
            _c("state", "string", "GA, Preview, Not available, Unknown or null.", enum=STATES),
            _c("note", "string", "Qualifier of the state."),
            _c("feature_key", "string", "The features row this comes from.", False),
        ),
        key=("environment", "feature_key", "resource", "platform"),
        published_extra=(
            _c(
                "state_since",
                "timestamp",
                "Detection time of the revision where the current state began (from the history); null when it began before the history did.",
            ),
            _c("state_since_ms_date", "string", "ms.date of that revision."),
            _c("state_since_git_commit_id", "string", "Source commit of that revision."),
            _c(
                "first_seen",
                "timestamp",
                "Detection time of the revision where the row first appeared; null when before the history began.",
            ),
            _c("first_seen_ms_date", "string", "ms.date of that revision."),
        ),
    )
)

SUPPORT_ITEMS = register(
    Dataset(
        "support_items",
        "One row per bullet of every Aspect/Details table and of bulleted support lists",
        (
            _c("table_index", "int64", "The Aspect/Details table, or null for a list outside tables."),
            _c("section", "string", "The H2 it sits under."),
            _c(
                "environment",
                "string",
                "Canonical environment, or null when the section names none.",
                enum=ENVIRONMENTS,
            ),
            _c("subheading", "string", "The nearest H3/H4."),
            _c("aspect", "string", "The Aspect column (or the list's heading).", False),
            _c(
                "status",
                "string",
                "Supported, Unsupported, or the raw status phrase (e.g. 'Supported via Arc enabled Kubernetes').",
                False,
            ),
            _c("item", "string", "The bullet's text.", False),
            _c("footnotes", "list<string>", "Texts of footnotes cited by the bullet or its status line."),
        ),
        key=("section", "environment", "subheading", "aspect", "status", "item"),
    )
)

OS_VERSIONS = register(
    Dataset(
        "os_versions",
        "One row per operating system or distribution named in the support lists",
        (
            _c("context", "string", "Where it was listed: section / aspect (or list heading).", False),
            _c("environment", "string", "Canonical environment, or null."),
            _c("name", "string", "OS or distribution name, canonical spelling.", False),
            _c("version_min", "string", "Lowest version of a range, or null."),
            _c("version_max", "string", "Highest version of a range, or null."),
            _c("versions", "list<string>", "Explicitly listed versions."),
            _c("open_ended", "string", "'up' (or later/and above/or newer), 'down' (and below/or earlier), or null."),
            _c("based_on", "string", "What the distribution is based on, e.g. 'Debian GNU/Linux 7-12'."),
            _c("note", "string", "A parenthetical remark, e.g. the CentOS end-of-service note."),
            _c("raw", "string", "The line as written.", False),
        ),
        key=("context", "environment", "name", "raw"),
    )
)

# -- the generic support matrix of every page (pipeline.normalise.matrix) -----

SUPPORT = register(
    Dataset(
        "support",
        "One row per body cell of every table of a page that is not the row label: the support matrix in long form",
        (
            _c("page", "string", "The page's slug (pipeline/pages), e.g. 'defender-for-servers'.", False),
            *_SCOPE,
            _c("table", "int64", "0-based position of the table among the page's tables.", False),
            _c("row", "int64", "0-based body row.", False),
            _c("row_label", "string", "The row's label: its first column, or the column the page spec names.", False),
            _c("column", "int64", "0-based column.", False),
            _c(
                "column_label", "string", "Header text of the column (a machine type, cloud, scope, capability).", False
            ),
            _c("raw", "string", "The cell's visible text, footnote markers removed; null for an empty cell."),
            _c(
                "state",
                "string",
                "GA, Preview, Supported, Not supported, Not applicable, Value (not a support statement), Unknown (wording not known), or null (empty cell).",
                enum=SUPPORT_STATES,
            ),
            _c("qualifier", "string", "The rest of the cell after its state, e.g. 'Plan 2' in 'Yes (Plan 2)'."),
            _c("footnotes", "list<string>", "Texts of the footnotes the cell, its row label and its header cite."),
            _c(
                "cell_key",
                "string",
                "Stable identity: section|tab|row label|column label as key text ('|#2' for a repeat), unique per page and revision.",
                False,
            ),
        ),
        key=("page", "cell_key"),
        document_order=True,
    )
)

TIDY = ("features", "feature_support", "support_items", "os_versions")
PUBLISHED = (
    "features",
    "feature_support",
    "support_items",
    "os_versions",
    "footnotes",
    "notes",
    "page",
    "cells",
    "tables",
    "support",
)

# the history datasets (changes, timeline) register themselves on import
from ._schema_history import CHANGES, TIMELINE  # noqa: E402

__all__ = ["CHANGES", "DATASETS", "PUBLISHED", "TIDY", "TIMELINE", "Column", "Dataset"]
