"""The published package as clients nobody here wrote read it: frictionless, DuckDB, pandas' CSV reader."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from pipeline import publish as publishing
from pipeline.schema import DATASETS, NO_RESOURCE
from tests.corpus import CATALOGUE, CATALOGUE_SKIP
from tests.publish_support import meta, sample_body, sample_changes, sample_frames

# a feature row naming no resource: its feature_support row's key must still be complete
NO_RESOURCE_ROW = (
    "<tr><td>Inventory of clusters</td><td>Lists the clusters</td><td>-</td><td>GA</td><td>GA</td>"
    "<td>Agentless</td><td>Foundational CSPM</td><td>Commercial clouds</td></tr>"
)


def _frames_with_a_resourceless_feature() -> dict[str, pd.DataFrame]:
    body = sample_body().decode("utf-8")
    anchor = "<tbody>"
    assert anchor in body
    return sample_frames(body.replace(anchor, anchor + NO_RESOURCE_ROW, 1).encode("utf-8"))


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    frames = _frames_with_a_resourceless_feature()
    out = tmp_path_factory.mktemp("contract") / "output"
    publishing.publish(out, frames, sample_changes(), meta(frames))
    return out


def test_the_sample_has_a_feature_without_resources(site: Path) -> None:
    support = pd.read_parquet(site / "latest" / "feature_support.parquet")
    assert (support["resource"] == NO_RESOURCE).any()
    assert (support["resource"] != "").all()


def test_frictionless_validates_the_published_package(site: Path) -> None:
    frictionless = pytest.importorskip("frictionless", reason="frictionless is a dev extra")
    report = frictionless.validate(site / "datapackage.json")
    errors = [(t.name, e.type, e.note) for t in report.tasks for e in t.errors]
    assert report.valid, errors[:10]
    # the CSV files are read cell by cell (types, required, enums, keys); Parquet/JSON by hash and size
    kinds = {t.name.rsplit("-", 1)[1]: t.type for t in report.tasks}
    assert kinds == {"csv": "table", "parquet": "file", "json": "file"}
    assert len(report.tasks) == len(json.loads((site / "datapackage.json").read_bytes())["resources"])


def test_frictionless_catches_an_unknown_state(site: Path, tmp_path: Path) -> None:
    frictionless = pytest.importorskip("frictionless", reason="frictionless is a dev extra")
    path = site / "latest" / "feature_support.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    row = lines[1].split(",")
    row[header.index("state")] = "Generally available"
    broken = tmp_path / "feature_support.csv"
    broken.write_text("\n".join([lines[0], ",".join(row), *lines[2:]]) + "\n", encoding="utf-8")
    desc = json.loads((site / "datapackage.json").read_bytes())
    res = next(r for r in desc["resources"] if r["path"] == "latest/feature_support.csv")
    schema = frictionless.Schema.from_descriptor(res["schema"])
    report = frictionless.Resource(path=broken.name, basepath=str(tmp_path), schema=schema).validate()
    assert not report.valid
    assert "constraint-error" in {e.type for e in report.tasks[0].errors}


@pytest.mark.parametrize(("dataset", "column"), [("page", "fetched_at"), ("changes", "detected_at")])
def test_duckdb_reads_times_as_timestamp_with_time_zone(site: Path, dataset: str, column: str) -> None:
    duckdb = pytest.importorskip("duckdb")
    con = duckdb.connect()
    described = con.sql(f"DESCRIBE SELECT * FROM '{site}/latest/{dataset}.parquet'").fetchall()
    types = {r[0]: r[1] for r in described}
    assert types[column] == "TIMESTAMP WITH TIME ZONE"
    if dataset == "changes":
        [(n,)] = con.sql(
            f"SELECT count(*) FROM '{site}/latest/changes.parquet' WHERE detected_at >= TIMESTAMPTZ '2025-03-01 00:00:00+00'"
        ).fetchall()
        assert n == (sample_changes()["detected_at"] >= "2025-03-01").sum() > 0


def test_duckdb_reads_the_extras_as_a_map(site: Path) -> None:
    duckdb = pytest.importorskip("duckdb")
    rows = duckdb.sql(
        f"SELECT feature, extra FROM '{site}/latest/features.parquet' WHERE cardinality(extra) > 0"
    ).fetchall()
    frames = sample_frames()
    expected = {
        f: json.loads(e) for f, e in zip(frames["features"]["feature"], frames["features"]["extra"]) if json.loads(e)
    }
    assert {f: dict(e) for f, e in rows} == expected


def _dtypes(site: Path, dataset: str) -> dict[str, Any]:
    """pandas dtypes from the CSV resource's Table Schema, as a client would map them."""
    desc = json.loads((site / "datapackage.json").read_bytes())
    res = next(r for r in desc["resources"] if r["path"] == f"latest/{dataset}.csv")
    mapping = {"string": "string", "integer": "Int64", "boolean": "boolean", "number": "float64"}
    return {f["name"]: mapping.get(f["type"], "string") for f in res["schema"]["fields"]}


def test_pandas_read_csv_with_the_schema_types_keeps_versions_as_written(site: Path, tmp_path: Path) -> None:
    from pipeline._io import write_dataset

    frame = sample_frames()["os_versions"].copy()
    frame.loc[frame["name"] == "Alpine Linux", "version_max"] = "3.10"
    write_dataset(frame, tmp_path, "os_versions", formats=("csv",))
    naive = pd.read_csv(tmp_path / "os_versions.csv")
    assert 3.1 in set(naive["version_max"].dropna().astype(float))  # what the issue saw: 3.10 read as 3.1
    typed = pd.read_csv(tmp_path / "os_versions.csv", dtype=_dtypes(site, "os_versions"))
    alpine = typed[typed["name"] == "Alpine Linux"].iloc[0]
    assert alpine["version_max"] == "3.10" and alpine["version_min"] == "3.12"
    assert _dtypes(site, "os_versions")["version_max"] == "string"


def test_csv_timestamps_and_lists_parse_with_the_declared_types(site: Path) -> None:
    desc = json.loads((site / "datapackage.json").read_bytes())
    res = next(r for r in desc["resources"] if r["path"] == "latest/changes.csv")
    field = next(f for f in res["schema"]["fields"] if f["name"] == "detected_at")
    assert field["type"] == "datetime"
    changes = pd.read_csv(site / "latest" / "changes.csv", dtype="string")
    parsed = pd.to_datetime(changes["detected_at"], utc=True, format="ISO8601")
    assert parsed.notna().all()
    assert all(
        DATASETS["changes"].column("kind").enum and k in DATASETS["changes"].column("kind").enum
        for k in changes["kind"]
    )


def test_the_schema_enums_are_the_vocabularies_validation_checks() -> None:
    from pipeline import vocabulary
    from pipeline.validate import suites

    assert list(vocabulary.STATES) == suites.STATES
    assert list(vocabulary.ENVIRONMENTS) == suites.ENVIRONMENTS
    assert list(vocabulary.PLATFORMS) == suites.PLATFORMS


SHIPPED = Path(__file__).resolve().parents[2] / "output"


@pytest.mark.skipif(not (SHIPPED / "datapackage.json").is_file(), reason="no output/ in this checkout")
def test_the_shipped_output_is_frictionless_valid_and_its_json_matches_its_schemas() -> None:
    import jsonschema

    frictionless = pytest.importorskip("frictionless", reason="frictionless is a dev extra")
    # the catalogue at the root, and each page's own package in its folder (ROOT/<slug>)
    published = sorted(p for p in SHIPPED.iterdir() if (p / "datapackage.json").is_file())
    assert published, "no page folder in the shipped output/"
    for package in (SHIPPED, *published):
        report = frictionless.validate(package / "datapackage.json")
        assert report.valid, [(package.name, t.name, e.type, e.note) for t in report.tasks for e in t.errors][:10]
    checker = jsonschema.Draft202012Validator.FORMAT_CHECKER
    for page in published:
        schemas = sorted((page / "schema").glob("*.schema.json"))
        assert schemas, page
        for schema_path in schemas:
            schema = json.loads(schema_path.read_bytes())
            data = json.loads((page / "latest" / schema_path.name.replace(".schema", "")).read_bytes())
            jsonschema.Draft202012Validator(schema, format_checker=checker).validate(data)


@pytest.mark.skipif(not (CATALOGUE / "cloud" / "html").is_dir(), reason=CATALOGUE_SKIP)
def test_a_page_with_empty_cells_publishes_a_package_frictionless_accepts(tmp_path: Path) -> None:
    # 2023-02-26 of the cloud page has empty matrix cells: their `raw` is null, which CSV can say
    from pipeline.cli import main

    frictionless = pytest.importorskip("frictionless", reason="frictionless is a dev extra")
    page = CATALOGUE / "cloud" / "html" / "2023-02-26_5fe5641.html"
    run = ["run", "--page", "defender-for-cloud", "--source", str(page), "--fetched-at", "2023-02-27T00:00:00Z"]
    assert main([*run, "--snapshots", str(tmp_path / "snapshots"), "--output", str(tmp_path / "output")]) == 0
    support = json.loads((tmp_path / "output" / "defender-for-cloud" / "latest" / "support.json").read_bytes())
    assert any(cell["raw"] is None and cell["state"] is None for cell in support)
    for root in (tmp_path / "output", tmp_path / "output" / "defender-for-cloud"):
        report = frictionless.validate(root / "datapackage.json")
        assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:5]
