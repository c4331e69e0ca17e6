"""The tidy datasets on every corpus revision, checked against the independent truth files."""

from __future__ import annotations

import re
from functools import cache

import pandas as pd
import pytest

from pipeline.extract import extract
from pipeline.model import Document
from pipeline.normalise import Tidy, tidy
from pipeline.normalise.footnotes import is_unresolved
from pipeline.normalise.os_versions import UNPARSED, version_key
from pipeline.schema import DATASETS, TIDY
from pipeline.vocabulary import ENVIRONMENTS as VOCABULARY
from tests.corpus import corpus_params, html_bytes, truth

STATES = {"GA", "Preview", "Not available"}
OS_ASPECT = re.compile(r"\boperating systems?\b|\bos\b", re.I)
BULLET = re.compile(r"^[*•\-]\s*")


@cache
def revision(stem: str) -> tuple[Document, Tidy]:
    document = extract(html_bytes(stem))
    return document, tidy(document)


def rendered_tables(stem: str) -> list[dict]:
    return [t for t in truth(stem)["tables"] if t["learn_renders_as_table"]]


@pytest.mark.parametrize("stem", corpus_params())
def test_one_feature_row_per_body_row_of_every_feature_table(stem: str) -> None:
    _, result = revision(stem)
    features = result.frames["features"]
    expected: dict[int, tuple[str | None, list[str]]] = {}
    combined: set[int] = set()
    for index, t in enumerate(rendered_tables(stem)):
        headers = [h.lower() for h in t["headers"]]
        column = next((i for i, h in enumerate(headers) if h in ("feature", "domain - feature")), None)
        if column is not None:
            expected[index] = (t["h2"], [row[column] for row in t["rows"]])
            if headers[column] == "domain - feature":
                combined.add(index)
    got: dict[int, tuple[str | None, list[str]]] = {}
    for index, group in features.sort_values(["table_index", "row"]).groupby("table_index", sort=True):
        assert list(group["row"]) == list(range(len(group)))
        names = list(group["feature"])
        if int(index) in combined:  # the combined column was split at its first " - "
            names = [f if pd.isna(d) else f"{d} - {f}" for d, f in zip(group["domain"], group["feature"])]
        got[int(index)] = (group["section"].iloc[0], names)
    assert got == expected


@pytest.mark.parametrize("stem", corpus_params())
def test_every_state_is_known(stem: str) -> None:
    frames = revision(stem)[1].frames
    values = [
        *frames["features"]["linux_state"],
        *frames["features"]["windows_state"],
        *frames["feature_support"]["state"],
    ]
    assert {v for v in values if not pd.isna(v)} <= STATES  # no "Unknown" on the corpus
    assert len(frames["feature_support"]) > 0


@pytest.mark.parametrize("stem", corpus_params())
def test_every_environment_maps(stem: str) -> None:
    frames = revision(stem)[1].frames
    assert set(frames["features"]["environment"]) <= set(VOCABULARY)
    for name in ("feature_support", "support_items", "os_versions"):
        assert {e for e in frames[name]["environment"] if not pd.isna(e)} <= set(VOCABULARY), name


@pytest.mark.parametrize("stem", corpus_params())
def test_every_os_line_parses(stem: str) -> None:
    frames = revision(stem)[1].frames
    os_rows, items = frames["os_versions"], frames["support_items"]
    assert not (os_rows["note"] == UNPARSED).any(), list(os_rows.loc[os_rows["note"] == UNPARSED, "raw"])
    os_items = items[items["aspect"].str.contains(OS_ASPECT) & (items["status"] != "Unsupported")]
    assert set(os_items["item"]) <= set(os_rows["raw"])  # no OS line is skipped
    for lo, hi, raw in zip(os_rows["version_min"], os_rows["version_max"], os_rows["raw"]):
        if isinstance(lo, str) and isinstance(hi, str):
            lo_key, hi_key = version_key(lo), version_key(hi)
            assert lo_key is not None and hi_key is not None and lo_key <= hi_key, raw
    assert all(name and not re.search(r"(^|\s)\d", name) for name in os_rows["name"])


@pytest.mark.parametrize("stem", corpus_params())
def test_every_footnote_reference_resolves(stem: str) -> None:
    document, result = revision(stem)
    defined = {f["anchor"]: set() for f in truth(stem)["footnotes"]}
    for f in truth(stem)["footnotes"]:
        defined[f["anchor"]].add(f["text"])
    # a reference can only stay unresolved when the page itself defines nothing under its anchor
    undefined = {
        (t.index, marker)
        for t in document.tables
        for row in t.rows
        for cell in row
        for marker, anchor in zip(cell.footnotes, cell.anchors)
        if anchor not in defined
    }
    unresolved = set()
    all_texts = set().union(*defined.values()) if defined else set()
    for name in ("features", "support_items"):
        frame = result.frames[name]
        for index, texts in zip(frame["table_index"], frame["footnotes"]):
            for text in texts:
                if is_unresolved(text):
                    unresolved.add((int(index), text.removeprefix("[unresolved footnote ").removesuffix("]")))
                else:
                    assert text in all_texts
    assert unresolved == undefined


@pytest.mark.parametrize("stem", corpus_params())
def test_keys_are_unique(stem: str) -> None:
    frames = revision(stem)[1].frames
    for name in TIDY:
        frame = frames[name]
        key = list(DATASETS[name].key)
        assert list(frame.columns) == DATASETS[name].names
        assert not frame.duplicated(key).any(), (name, frame.loc[frame.duplicated(key, keep=False), key])


@pytest.mark.parametrize("stem", corpus_params())
def test_every_bullet_becomes_an_item(stem: str) -> None:
    document, result = revision(stem)
    items = result.frames["support_items"]
    by_table: dict[int, list[str]] = {}
    for index, item in zip(items["table_index"], items["item"]):
        if not pd.isna(index):
            by_table.setdefault(int(index), []).append(item)
    for t in document.tables:
        if t.kind != "aspect":
            continue
        for row in t.rows:
            for cell in row[1:]:
                for line in cell.lines:
                    text = BULLET.sub("", line.text, count=1).strip()
                    if BULLET.match(line.text) and text:
                        assert any(i.startswith(text) for i in by_table.get(t.index, [])), (t.index, text)
