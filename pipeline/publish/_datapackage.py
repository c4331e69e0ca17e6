"""The data package descriptor and JSON Schemas, generated from :mod:`pipeline.schema`.

One source of truth: a column's name, type, description and nullability are
declared once in the registry; the Table Schema of every resource and the JSON
Schema of every JSON file are derived from it here.

Frictionless reads CSV; it cannot measure Parquet (no byte count through its
reader, fastparquet's numpy arrays for list columns) nor our JSON files (an
array of objects with nested lists).  So the CSV resources are the ``table``
resources frictionless validates cell by cell, and the Parquet and JSON files
are ``file`` resources with the same Table Schema for other readers, checked by
hash and size (and, for JSON, by their JSON Schema).  An empty CSV field is
null (Table Schema's default ``missingValues``): CSV cannot tell null from
``""``; Parquet and JSON can.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from ..schema import SCHEMA_VERSION, Dataset

PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"
JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
FORMATS = ("parquet", "json", "csv")
MEDIATYPES = {"parquet": "application/vnd.apache.parquet", "json": "application/json", "csv": "text/csv"}

# registry type -> Table Schema type (CSV: lists are JSON arrays, extras a JSON object, as _io writes them)
_TABLE_TYPES = {
    "string": "string",
    "int64": "integer",
    "bool": "boolean",
    "float64": "number",
    "list<string>": "array",
    "json": "object",
    "timestamp": "datetime",
}

_JSON_TYPES: dict[str, dict[str, Any]] = {
    "string": {"type": "string"},
    "int64": {"type": "integer"},
    "bool": {"type": "boolean"},
    "float64": {"type": "number"},
    "list<string>": {"type": "array", "items": {"type": "string"}},
    "json": {"type": "object", "additionalProperties": {"type": ["string", "null"]}},
    "timestamp": {"type": "string", "format": "date-time"},
}

LICENSES = [
    {
        "name": "CC-BY-4.0",
        "path": "https://creativecommons.org/licenses/by/4.0/",
        "title": "Creative Commons Attribution 4.0 International: the Microsoft Learn article the data is extracted from",
    }
]


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def table_schema(dataset: Dataset) -> dict[str, Any]:
    fields = []
    for col in dataset.columns:
        field: dict[str, Any] = {"name": col.name, "type": _TABLE_TYPES[col.type], "description": col.description}
        constraints: dict[str, Any] = {}
        if not col.nullable:
            constraints["required"] = True
        if col.enum:
            constraints["enum"] = list(col.enum)
        if col.type == "timestamp":
            field["format"] = "default"  # ISO-8601 in UTC, "2024-06-01T08:00:00Z"
        if constraints:
            field["constraints"] = constraints
        fields.append(field)
    schema: dict[str, Any] = {"fields": fields}
    key = list(dataset.key)
    # a Table Schema primary key may not hold nulls; keys over nullable columns are unique keys (v2)
    if all(not dataset.column(k).nullable for k in key):
        schema["primaryKey"] = key
    else:
        schema["uniqueKeys"] = [key]
    return schema


def json_schema(dataset: Dataset) -> dict[str, Any]:
    """JSON Schema (2020-12) of ``latest/<dataset>.json``: an array of records in the registry's columns."""
    properties = {}
    for col in dataset.columns:
        prop = dict(_JSON_TYPES[col.type])
        if col.enum:
            prop["enum"] = [*col.enum, None] if col.nullable else list(col.enum)
        if col.nullable:
            prop["type"] = [prop["type"], "null"]
        prop["description"] = col.description
        properties[col.name] = prop
    return {
        "$schema": JSON_SCHEMA_DIALECT,
        "$id": f"{dataset.name}.schema.json",
        "title": f"{dataset.name}: {dataset.title}",
        "description": f"latest/{dataset.name}.json: one object per row; key: {', '.join(dataset.key)}.",
        "type": "array",
        "items": {
            "type": "object",
            "properties": properties,
            "required": dataset.names,
            "additionalProperties": False,
        },
    }


def resource(root: Path, dataset: Dataset, fmt: str, rows: int) -> dict[str, Any]:
    rel = f"latest/{dataset.name}.{fmt}"
    path = root / rel
    res: dict[str, Any] = {
        "name": f"{dataset.name}-{fmt}",
        "type": "table" if fmt == "csv" else "file",
        "title": dataset.title,
        "path": rel,
        "format": fmt,
        "mediatype": MEDIATYPES[fmt],
        "bytes": path.stat().st_size,
        "hash": f"sha256:{sha256_file(path)}",
        "schema": table_schema(dataset),
    }
    if fmt == "csv":  # frictionless checks a row count only where it reads rows (the same in every format)
        res["rows"] = rows
    if fmt != "parquet":
        res["encoding"] = "utf-8"
    if fmt == "csv":
        res["dialect"] = {"header": True, "delimiter": ",", "lineTerminator": "\n", "quoteChar": '"'}
    if fmt == "json":
        res["schema"]["fieldsMatch"] = "equal"  # records are written with sorted keys, not in field order
        res["jsonSchema"] = f"schema/{dataset.name}.schema.json"
    return res


def dataset_rows(descriptor: dict[str, Any]) -> dict[str, int]:
    """Rows per dataset (file stem), from its CSV resource."""
    return {r["path"].split("/")[-1].rsplit(".", 1)[0]: r["rows"] for r in descriptor["resources"] if "rows" in r}


def descriptor(root: Path, datasets: list[Dataset], rows: dict[str, int], revision: dict[str, Any]) -> dict[str, Any]:
    """The datapackage.json of the tree at ``root`` (its data files already written)."""
    from ..steps import page_of

    spec = page_of(revision)
    url = revision.get("canonical_url")
    source: dict[str, Any] = {"title": revision.get("title") or spec.title}
    if url:
        source["path"] = url
    if revision.get("git_commit_id"):
        source["version"] = revision["git_commit_id"]
    return {
        "$schema": PROFILE,
        "name": spec.package_name,
        "title": spec.alert_title,
        "description": spec.description,
        "version": SCHEMA_VERSION,
        "homepage": url,
        "keywords": list(spec.keywords),
        "licenses": LICENSES,
        "sources": [source],
        "revision": {
            k: revision.get(k)
            for k in ("id", "sha256", "ms_date", "git_commit_id", "updated_at", "fetched_at", "provenance")
        },
        "resources": [resource(root, ds, fmt, rows[ds.name]) for ds in datasets for fmt in FORMATS],
    }
