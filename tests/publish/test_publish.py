"""publish(): files read back as the datasets, described by datapackage.json, a valid feed and a safe page."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq
import pytest
from lxml import etree

from pipeline import publish as publishing
from pipeline._io import read_dataset
from pipeline.errors import PublishError
from pipeline.publish._datapackage import dataset_rows
from pipeline.schema import DATASETS, PUBLISHED, SCHEMA_VERSION
from tests.publish_support import meta, sample_body, sample_changes, sample_frames, tree_digest

ATOM = "{http://www.w3.org/2005/Atom}"
ALL = (*PUBLISHED, "changes", "timeline")


@pytest.fixture(scope="module")
def frames() -> dict[str, pd.DataFrame]:
    return sample_frames()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, frames: dict[str, pd.DataFrame]) -> Path:
    out = tmp_path_factory.mktemp("site") / "output"
    publishing.publish(out, frames, sample_changes(), meta(frames))
    return out


def _plain(frame: pd.DataFrame, name: str) -> list[dict[str, Any]]:
    """The frame's rows as plain Python values in schema order (nulls None, lists as lists)."""
    dataset = DATASETS[name]
    frame = frame[dataset.names]
    if not dataset.document_order:
        frame = frame.sort_values(list(dataset.key), kind="stable", na_position="first")
    out = []
    for row in frame.to_dict("records"):
        rec = {}
        for col in dataset.columns:
            value = row[col.name]
            if col.type == "list<string>":
                value = [] if value is None or (not hasattr(value, "__len__") and pd.isna(value)) else list(value)
            elif value is None or pd.isna(value):
                value = None
            elif col.type == "int64":
                value = int(value)
            rec[col.name] = value
        out.append(rec)
    return out


def _all_frames(frames: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    return {**frames, "changes": sample_changes()}


def _as_parquet(rec: dict[str, Any], name: str) -> dict[str, Any]:
    """A record as pyarrow reads it back: timestamps as aware datetimes, the extras as map pairs."""
    out = dict(rec)
    for col in DATASETS[name].columns:
        value = out[col.name]
        if value is not None and col.type == "timestamp":
            out[col.name] = datetime.fromisoformat(value).astimezone(UTC)
        elif value is not None and col.type == "json":
            out[col.name] = list(json.loads(value).items())
    return out


def _as_json(rec: dict[str, Any], name: str) -> dict[str, Any]:
    return {
        k: json.loads(v) if v is not None and DATASETS[name].column(k).type == "json" else v for k, v in rec.items()
    }


def test_layout_is_exactly_the_documented_tree(site: Path) -> None:
    files = {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()}
    expected = {"index.html", "datapackage.json", "changes.atom", "changes.md"}
    expected |= {f"latest/{n}.{fmt}" for n in ALL for fmt in ("parquet", "json", "csv")}
    expected |= {f"schema/{n}.schema.json" for n in ALL}
    api = {f for f in files if f.startswith("api/v1/")}
    assert "api/v1/index.json" in api
    index = json.loads((site / "api/v1/index.json").read_text(encoding="utf-8"))
    assert api == {"api/v1/index.json"} | {e["path"] for e in index["endpoints"]}  # the index lists every file
    assert files - api == expected
    assert not [p for p in site.parent.iterdir() if p.name.startswith(".output")], "staging left behind"


@pytest.mark.parametrize("name", (*PUBLISHED, "changes"))
def test_files_read_back_equal_the_datasets(site: Path, frames: dict[str, pd.DataFrame], name: str) -> None:
    expected = _plain(_all_frames(frames)[name], name)
    columns = DATASETS[name].names  # feature_support also carries the since columns (tests/test_timeline.py)
    published = DATASETS[name].published().names
    table = pq.read_table(site / "latest" / f"{name}.parquet")
    assert table.column_names == published
    assert [{k: r[k] for k in columns} for r in table.to_pylist()] == [_as_parquet(r, name) for r in expected]
    by_pandas = read_dataset(site / "latest", name)  # back to the in-memory types
    assert list(by_pandas.columns) == published
    assert _plain(by_pandas, name) == expected
    in_json = json.loads((site / "latest" / f"{name}.json").read_text(encoding="utf-8"))
    assert [{k: r[k] for k in columns} for r in in_json] == [_as_json(r, name) for r in expected]
    with (site / "latest" / f"{name}.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == published
    as_text = [
        [json.dumps(v, ensure_ascii=False) if isinstance(v, list) else "" if v is None else str(v) for v in r.values()]
        for r in expected
    ]
    assert [r[: len(columns)] for r in rows[1:]] == as_text


def test_tidy_datasets_are_not_empty(site: Path) -> None:
    for name in ("features", "feature_support", "support_items", "footnotes", "notes", "page", "changes"):
        assert pq.read_metadata(site / "latest" / f"{name}.parquet").num_rows > 0, name


@pytest.mark.parametrize("name", ALL)
def test_json_files_validate_against_their_json_schema(site: Path, name: str) -> None:
    import jsonschema

    schema = json.loads((site / "schema" / f"{name}.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    records = json.loads((site / "latest" / f"{name}.json").read_text(encoding="utf-8"))
    checker = jsonschema.Draft202012Validator.FORMAT_CHECKER
    assert "date-time" in checker.checkers, "rfc3339-validator (dev extra) makes date-time checkable"
    jsonschema.Draft202012Validator(schema, format_checker=checker).validate(records)
    if records:  # the schema is strict: an unknown key, a missing key, a wrong type, time or vocabulary fails
        validator = jsonschema.Draft202012Validator(schema, format_checker=checker)
        for col in DATASETS[name].published().columns:
            if col.type == "timestamp":
                assert schema["items"]["properties"][col.name]["format"] == "date-time"
                assert not validator.is_valid([{**records[0], col.name: "2025-13-01 8am"}]), col.name
            if col.enum:
                assert not validator.is_valid([{**records[0], col.name: "Generally available"}]), col.name
        first = records[0]
        assert not validator.is_valid([{**first, "unexpected": 1}])
        assert not validator.is_valid([{k: v for k, v in first.items() if k != DATASETS[name].names[0]}])
        wrong = next(c for c in DATASETS[name].columns if c.type in ("int64", "string", "list<string>"))
        assert not validator.is_valid([{**first, wrong.name: {"not": "this"}}])


def test_datapackage_describes_every_file_exactly(site: Path, frames: dict[str, pd.DataFrame]) -> None:
    desc = json.loads((site / "datapackage.json").read_text(encoding="utf-8"))
    resources = {r["path"]: r for r in desc["resources"]}
    rows = dataset_rows(desc)
    assert desc["version"] == SCHEMA_VERSION
    assert set(resources) == {p.relative_to(site).as_posix() for p in (site / "latest").iterdir()}
    assert len({r["name"] for r in desc["resources"]}) == len(resources)
    for path, res in resources.items():
        data = (site / path).read_bytes()
        assert res["bytes"] == len(data), path
        assert res["hash"] == "sha256:" + hashlib.sha256(data).hexdigest(), path
        name = Path(path).stem
        if name != "timeline":
            assert rows[name] == len(_all_frames(frames)[name]), path
        assert ("rows" in res) == (res["format"] == "csv"), "frictionless counts rows of table resources only"
        assert res["type"] == ("table" if res["format"] == "csv" else "file"), path
        fields = res["schema"]["fields"]
        assert [f["name"] for f in fields] == DATASETS[name].published().names
        assert all(f["description"] and f["type"] for f in fields)
        keys = res["schema"].get("primaryKey") or res["schema"]["uniqueKeys"][0]
        assert keys == list(DATASETS[name].key)
        assert res["mediatype"] == {"parquet": "application/vnd.apache.parquet", "json": "application/json"}.get(
            res["format"], "text/csv"
        )
    assert resources["latest/features.parquet"]["schema"]["primaryKey"] == ["feature_key"]
    assert resources["latest/footnotes.csv"]["schema"]["uniqueKeys"] == [list(DATASETS["footnotes"].key)]
    assert resources["latest/features.json"]["schema"]["fieldsMatch"] == "equal"  # keys are sorted
    assert resources["latest/features.json"]["jsonSchema"] == "schema/features.schema.json"
    page = frames["page"].iloc[0]
    assert desc["revision"]["ms_date"] == page["ms_date"]
    assert desc["revision"]["git_commit_id"] == page["git_commit_id"]
    assert desc["revision"]["fetched_at"] == page["fetched_at"]
    assert desc["sources"][0]["path"] == page["canonical_url"]
    assert desc["licenses"][0]["name"] == "CC-BY-4.0"
    assert desc["name"] and desc["$schema"].startswith("https://datapackage.org/")


def test_datapackage_row_counts_match_each_format(site: Path) -> None:
    desc = json.loads((site / "datapackage.json").read_text(encoding="utf-8"))
    for res in desc["resources"]:
        path = site / res["path"]
        if res["format"] == "parquet":
            n = pq.read_metadata(path).num_rows
        elif res["format"] == "json":
            n = len(json.loads(path.read_bytes()))
        else:
            n = len(list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))) - 1
        assert n == dataset_rows(desc)[Path(res["path"]).stem], res["path"]


def test_atom_feed_is_valid_newest_first_with_unique_stable_ids(site: Path, frames: dict[str, pd.DataFrame]) -> None:
    feed = etree.fromstring((site / "changes.atom").read_bytes())
    assert feed.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated", "author"):
        assert feed.find(f"{ATOM}{required}") is not None, required
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 2  # one per run with changes
    ids = [e.findtext(f"{ATOM}id") for e in entries]
    assert len(set(ids)) == len(ids)
    revision = "tag:supportmatrix,2025:defender-for-containers/revision/"
    # newest first; a run is its revision and when it was detected
    assert ids == [revision + "3333333333333333/20250330T100000Z", revision + "2222222222222222/20250110T080000Z"]
    updated = [e.findtext(f"{ATOM}updated") for e in entries]
    assert updated == ["2025-03-30T10:00:00+00:00", "2025-01-10T08:00:00+00:00"]
    assert feed.findtext(f"{ATOM}updated") == updated[0]  # newest entry, not the wall clock
    url = frames["page"]["canonical_url"].iloc[0]
    for entry in entries:
        assert entry.find(f"{ATOM}link").get("href") == url
        assert entry.find(f"{ATOM}content").get("type") == "html"
    older = etree.fromstring(entries[1].findtext(f"{ATOM}content"), etree.HTMLParser())
    assert sorted(li.text for li in older.iter("li")) == sorted(sample_changes()["summary"][:2])


def test_feed_without_changes_has_no_entries_and_a_recorded_time(tmp_path: Path, frames: dict) -> None:
    out = tmp_path / "output"
    publishing.publish(out, frames, None, meta(frames))
    feed = etree.fromstring((out / "changes.atom").read_bytes())
    assert feed.findall(f"{ATOM}entry") == []
    assert feed.findtext(f"{ATOM}updated") == "2025-03-30T10:00:00+00:00"  # the fetch time
    assert json.loads((out / "latest" / "changes.json").read_bytes()) == []
    assert "No changes recorded" in (out / "index.html").read_text(encoding="utf-8")


def test_a_malformed_detection_time_is_a_publish_error(tmp_path: Path, frames: dict) -> None:
    history = sample_changes()
    history.loc[2, "detected_at"] = "yesterday"
    with pytest.raises(PublishError, match="'yesterday' is not an ISO-8601 time"):
        publishing.publish(tmp_path / "output", frames, history, meta(frames))
    assert list(tmp_path.iterdir()) == []


def _html(site: Path) -> etree._Element:
    return etree.fromstring((site / "index.html").read_bytes())  # strict XML: well-formed or it raises


def test_index_html_is_well_formed_self_contained_and_linked(site: Path) -> None:
    raw = (site / "index.html").read_bytes()
    assert raw.startswith(b"<!DOCTYPE html>")
    root = _html(site)
    assert root.tag == "html" and [c.tag for c in root] == ["head", "body"]
    assert root.find("head/meta").get("charset") == "utf-8"
    parsed = etree.fromstring(raw, etree.HTMLParser(recover=False))  # also parses as HTML
    assert parsed.find("body") is not None
    ids = [e.get("id") for e in root.iter() if e.get("id")]
    assert len(ids) == len(set(ids)), "duplicate ids"
    assert not list(root.iter("script")), "the page needs no script"
    assert not [e for e in root.iter() if e.get("src")], "nothing loaded from elsewhere"
    assert not [e for e in root.iter("link") if e.get("rel") == "stylesheet"], "CSS is inline"
    for a in root.iter("a"):
        href = a.get("href")
        if href.startswith("#"):
            assert href[1:] in ids, href
        elif not href.startswith("https://"):
            assert (site / href).is_file(), href


def test_index_html_shows_every_feature_row_with_its_states(site: Path, frames: dict[str, pd.DataFrame]) -> None:
    root = _html(site)
    rows = {tr.get("data-feature-key"): tr for tr in root.iter("tr") if tr.get("data-feature-key")}
    features = frames["features"]
    assert set(rows) == set(features["feature_key"])
    for feature in features.itertuples():
        text = " ".join("".join(rows[feature.feature_key].itertext()).split())
        assert " ".join(feature.feature.split()) in text
        if isinstance(feature.linux_state, str):
            assert feature.linux_state in text
    states = {s.text for s in root.iter("span") if "state" in (s.get("class") or "").split()}
    assert {"GA", "Preview"} <= states
    assert len(root.findall(".//div[@class='run']")) == 2


def test_index_html_lists_footnotes_under_their_table(site: Path, frames: dict[str, pd.DataFrame]) -> None:
    root = _html(site)
    listed = {" ".join("".join(li.itertext()).split()) for ol in root.iter("ol") for li in ol}
    cited = {t for texts in frames["features"]["footnotes"] for t in texts}
    assert cited and cited <= listed


def _inject(body: bytes) -> bytes:
    text = body.decode("utf-8")
    target = "<td>Container registry VA</td>"
    assert target in text
    text = text.replace(target, "<td>Container registry VA &lt;script&gt;alert(1)&lt;/script&gt;</td>", 1)
    note = "<p>This article references CentOS"
    assert note in text
    text = text.replace(note, '<p>&lt;img src=x onerror="alert(2)"&gt; This article references CentOS', 1)
    return text.encode("utf-8")


def test_page_text_cannot_inject_markup(tmp_path: Path) -> None:
    frames = sample_frames(_inject(sample_body()))
    assert frames["features"]["feature"].str.contains("<script>", regex=False).any()
    history = sample_changes()
    history.loc[0, "summary"] = "<script>alert(3)</script> went GA"
    frames["page"] = frames["page"].assign(canonical_url="javascript:alert(4)")
    frames["notes"] = frames["notes"].assign(text=frames["notes"]["text"] + "\x0c\x01")  # not XML 1.0 text
    history.loc[1, "summary"] += "\x01"
    out = tmp_path / "output"
    publishing.publish(out, frames, history, meta(frames))
    root = _html(out)
    assert not list(root.iter("script")) and not list(root.iter("img"))
    text = "".join(root.itertext())
    assert "<script>alert(1)</script>" in text and 'onerror="alert(2)"' in text and "alert(3)" in text
    assert not [a for a in root.iter("a") if "javascript" in a.get("href", "")]
    raw = (out / "index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in raw
    feed = etree.fromstring((out / "changes.atom").read_bytes())
    for content in feed.iter(f"{ATOM}content"):
        assert not list(etree.fromstring(content.text, etree.HTMLParser()).iter("script"))
    assert b"javascript:" not in (out / "changes.atom").read_bytes()


def test_same_inputs_publish_byte_identical_trees(tmp_path: Path, frames: dict[str, pd.DataFrame]) -> None:
    a, b = tmp_path / "a" / "output", tmp_path / "b" / "site"
    publishing.publish(a, frames, sample_changes(), meta(frames))
    publishing.publish(b, {k: v.copy() for k, v in frames.items()}, sample_changes(), meta(frames))
    first = tree_digest(a)
    assert first == tree_digest(b)
    publishing.publish(a, frames, sample_changes(), meta(frames))  # again, over itself
    assert tree_digest(a) == first


def test_republish_replaces_the_whole_tree(tmp_path: Path, frames: dict[str, pd.DataFrame]) -> None:
    out = tmp_path / "output"
    publishing.publish(out, frames, None, meta(frames))
    (out / "stray.txt").write_text("from an older layout")
    publishing.publish(out, frames, sample_changes(), meta(frames))
    assert not (out / "stray.txt").exists()
    assert len(json.loads((out / "latest" / "changes.json").read_bytes())) == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["output"]


def test_missing_dataset_is_an_error_and_output_is_untouched(tmp_path: Path, frames: dict) -> None:
    out = tmp_path / "output"
    publishing.publish(out, frames, None, meta(frames))
    before = tree_digest(out)
    partial = {k: v for k, v in frames.items() if k != "features"}
    with pytest.raises(PublishError, match="features"):
        publishing.publish(out, partial, None, meta(frames))
    assert tree_digest(out) == before


def test_a_failed_check_leaves_output_untouched(
    tmp_path: Path, frames: dict[str, pd.DataFrame], monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "output"
    publishing.publish(out, frames, None, meta(frames))
    before = tree_digest(out)
    from pipeline.publish import _feed

    monkeypatch.setattr(_feed, "atom", lambda *a, **k: b"<feed>not closed")
    with pytest.raises(PublishError, match=r"changes\.atom is not well-formed"):
        publishing.publish(out, frames, sample_changes(), meta(frames))
    assert tree_digest(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["output"]


def test_check_catches_a_file_that_does_not_match_the_descriptor(tmp_path: Path, frames: dict) -> None:
    from pipeline.publish._verify import check

    out = tmp_path / "output"
    publishing.publish(out, frames, sample_changes(), meta(frames))
    check(out)
    path = out / "latest" / "features.csv"
    path.write_bytes(path.read_bytes().replace(b"GA", b"Ga", 1))
    with pytest.raises(PublishError, match=r"features\.csv does not match"):
        check(out)


def test_revision_info_prefers_the_page_dataset(frames: dict[str, pd.DataFrame]) -> None:
    info = publishing.revision_info(frames, {"id": "abc", "ms_date": "1999-01-01", "site_url": "x"})
    assert info["id"] == "abc"
    assert info["ms_date"] == frames["page"]["ms_date"].iloc[0]
    assert re.fullmatch(r"[0-9a-f]{64}", info["sha256"])
