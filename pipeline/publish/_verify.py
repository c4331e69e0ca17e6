"""Check a built publication before it is swapped in: every file parses back and matches the descriptor."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from ..errors import PublishError
from ..schema import SCHEMA_VERSION
from ._datapackage import dataset_rows, sha256_file

ATOM_NS = "http://www.w3.org/2005/Atom"


def check(root: Path) -> None:
    """Raise :class:`PublishError` naming the first file that does not read back as described."""
    descriptor = _load_json(root / "datapackage.json")
    counts = dataset_rows(descriptor)
    for res in descriptor["resources"]:
        _check_resource(root, res, counts)
    for res in descriptor["resources"]:
        if "jsonSchema" in res:
            _load_json(root / res["jsonSchema"])
    _check_xml(root / "changes.atom", root_tag=f"{{{ATOM_NS}}}feed")
    _check_xml(root / "index.html", root_tag="html")
    if not (root / "changes.md").read_text(encoding="utf-8").strip():
        raise PublishError("changes.md is empty")


def intact(root: Path) -> bool:
    """Cheap check that a published tree is complete and current: published under today's data contract
    (``version``: a tree an older release wrote is rebuilt, not left behind at the old contract), every
    file the descriptor lists is there with its size and sha256, and so are the feed, the page, the
    changelog and the API index (no parsing)."""
    try:
        descriptor = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
        if descriptor.get("version") != SCHEMA_VERSION:
            return False
        for res in descriptor["resources"]:
            path = root / res["path"]
            if path.stat().st_size != res["bytes"] or f"sha256:{sha256_file(path)}" != res["hash"]:
                return False
            if "jsonSchema" in res and not (root / res["jsonSchema"]).is_file():
                return False
    except (OSError, ValueError, KeyError, TypeError):
        return False
    return all((root / name).is_file() for name in ("changes.atom", "index.html", "changes.md", "api/v1/index.json"))


def _check_resource(root: Path, res: dict[str, Any], counts: dict[str, int]) -> None:
    path = root / res["path"]
    if not path.is_file():
        raise PublishError(f"{res['path']} is listed in datapackage.json but missing")
    if path.stat().st_size != res["bytes"] or f"sha256:{sha256_file(path)}" != res["hash"]:
        raise PublishError(f"{res['path']} does not match its size/hash in datapackage.json")
    fields = [f["name"] for f in res["schema"]["fields"]]
    columns, rows = _read_back(path, res["format"])
    if res["format"] == "json":  # records are written with sorted keys
        fields = sorted(fields)
        columns = sorted(columns)
    if columns != fields:
        raise PublishError(f"{res['path']} has columns {columns}, the descriptor says {fields}")
    expected = counts.get(path.stem)
    if rows != expected:
        raise PublishError(f"{res['path']} has {rows} rows, the descriptor says {expected}")


def _read_back(path: Path, fmt: str) -> tuple[list[str], int]:
    """Column names and row count, read with the format's own reader."""
    try:
        if fmt == "parquet":
            import pyarrow.parquet as pq

            table = pq.read_table(path)
            return list(table.column_names), table.num_rows
        if fmt == "json":
            records = json.loads(path.read_bytes())
            keys = {tuple(r) for r in records}
            if len(keys) > 1:
                raise ValueError("records do not all have the same keys")
            return (list(keys.pop()) if keys else _json_columns(path)), len(records)
        if fmt == "csv":
            reader = csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline=""))
            header = next(reader)
            width = len(header)
            n = 0
            for n, row in enumerate(reader, 1):
                if len(row) != width:
                    raise ValueError(f"row {n} has {len(row)} fields, the header {width}")
            return header, n
    except (OSError, ValueError, StopIteration) as exc:
        raise PublishError(f"{path.name} does not parse back as {fmt}: {exc}") from exc
    except Exception as exc:  # pyarrow raises its own ArrowInvalid for a corrupt file
        raise PublishError(f"{path.name} does not parse back as {fmt}: {type(exc).__name__}: {exc}") from exc
    raise PublishError(f"{path.name}: unknown format {fmt}")


def _json_columns(path: Path) -> list[str]:
    # an empty array names no columns: take them from the file's JSON Schema
    schema = _load_json(path.parent.parent / "schema" / f"{path.stem}.schema.json")
    return list(schema["items"]["properties"])


def _load_json(path: Path) -> Any:
    try:
        return json.loads(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise PublishError(f"{path.name} does not parse back as JSON: {exc}") from exc


def _check_xml(path: Path, *, root_tag: str) -> None:
    from lxml import etree

    try:
        tree = etree.fromstring(path.read_bytes(), etree.XMLParser(resolve_entities=False, no_network=True))
    except (OSError, etree.XMLSyntaxError) as exc:
        raise PublishError(f"{path.name} is not well-formed: {exc}") from exc
    if tree.tag != root_tag:
        raise PublishError(f"{path.name}: root element is {tree.tag}, expected {root_tag}")
