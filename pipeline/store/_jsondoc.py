"""The store's JSON documents, one row per line, re-encoding only the rows that changed (pure).

``index.json`` is ``{"snapshots": [...]}`` with one entry per line and
``last_checked.json`` a flat object with one key per line: valid JSON for any
reader, deterministic (keys sorted), and a new snapshot is one added line in a
git diff. A store keeps the encoded line of every row it read or wrote, so
writing the index after adding one snapshot encodes one row, not 3,000
(json's indented form runs in pure Python: 1.1 s for 3,000 entries here).
Rows are never changed in place (the store replaces an entry with a new dict),
which is what makes the cache sound.
"""

from __future__ import annotations

import json
from typing import Any

_ENCODE = json.JSONEncoder(ensure_ascii=False, sort_keys=True).encode


class Rows:
    """``{"<key>": [row, ...]}``, one row per line."""

    def __init__(self, key: str) -> None:
        self.key = key
        self._head = f'{{"{key}": ['
        self._lines: dict[int, tuple[dict[str, Any], str]] = {}  # id(row) -> (row, its line); the row kept alive
        self._last: tuple[list[dict[str, Any]], str] = ([], "")  # the rows of the last dump and its body

    def loads(self, data: bytes) -> Any:
        text = data.decode("utf-8")
        lines = text.split("\n")
        if len(lines) < 4 or lines[0] != self._head or lines[-2] != "]}" or lines[-1] != "":
            return json.loads(text)  # another layout (an older store, or edited by hand): read it whole
        rows = []
        for line in lines[1:-2]:
            raw = line[:-1] if line.endswith(",") else line
            row = json.loads(raw)
            if isinstance(row, dict):
                self._lines[id(row)] = (row, raw)
            rows.append(row)
        return {self.key: rows}

    def dumps(self, rows: list[dict[str, Any]]) -> bytes:
        if not rows:
            return f"{self._head}]}}\n".encode()
        before, body = self._last
        if before and len(rows) == len(before) + 1 and rows[:-1] == before:  # an append: one new line
            body = f"{body},\n{self._line(rows[-1])}"
        elif rows != before or not body:
            body = ",\n".join(self._line(r) for r in rows)
        self._last = (list(rows), body)
        return f"{self._head}\n{body}\n]}}\n".encode()

    def _line(self, row: dict[str, Any]) -> str:
        cached = self._lines.get(id(row))
        if cached is not None and cached[0] is row:
            return cached[1]
        line = _ENCODE(row)
        self._lines[id(row)] = (row, line)
        return line


class Mapping:
    """A flat ``{"key": "value"}`` object, one key per line, sorted."""

    def __init__(self) -> None:
        self._lines: dict[str, tuple[str, str]] = {}

    def dumps(self, mapping: dict[str, str]) -> bytes:
        if not mapping:
            return b"{}\n"
        body = ",\n".join(self._line(k, mapping[k]) for k in sorted(mapping))
        return f"{{\n{body}\n}}\n".encode()

    def _line(self, key: str, value: str) -> str:
        cached = self._lines.get(key)
        if cached is not None and cached[0] == value:
            return cached[1]
        line = f"{_ENCODE(key)}: {_ENCODE(value)}"
        self._lines[key] = (value, line)
        return line
