"""Every published dataset's columns, types, descriptions and keys, in one place.

The writers (Parquet/JSON/CSV), the data package descriptor, the JSON Schemas,
the validation suites and the README's column tables all read this registry,
so a column is described once.

Types: ``string``, ``int64``, ``bool``, ``list<string>`` and ``json`` (a
string holding a JSON object, for open-ended extras).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    description: str
    nullable: bool = True


@dataclass(frozen=True)
class Dataset:
    name: str
    title: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]  # primary key (unique within a revision)
    document_order: bool = False  # rows keep the page's order instead of being sorted by key

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def _c(name: str, type_: str, description: str, nullable: bool = True) -> Column:
    return Column(name, type_, description, nullable)


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
            _c("value", "string", "Visible cell text: footnote markers removed, <br> as one space, whitespace collapsed."),
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
            _c("kind", "string", "'feature' (has a Feature column), 'aspect' (Aspect/Details) or 'other'.", False),
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
            _c("kind", "string", "NOTE, CAUTION, IMPORTANT, TIP or WARNING.", False),
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
            _c("fetched_at", "string", "When the page was fetched (UTC ISO-8601).", False),
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
            _c("provenance", "string", "'fetched' (live GET), 'file' (local file), 'reconstructed' (hand-made sample) or 'git' (rendered from the docs repo history).", False),
        ),
        key=("sha256",),
    )
)

EXTRACTED = ("cells", "tables", "footnotes", "notes", "page")
