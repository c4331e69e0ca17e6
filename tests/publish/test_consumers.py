"""The README's consumer snippets (pandas, DuckDB, JSON, pipeline.load) run against a published output/.

The snippets are kept here verbatim with ``{root}`` for the site root (a local folder, or
``https://<owner>.github.io/<repo>`` once published); the tests substitute a tmp folder or its file:// URL.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from pytest_httpserver import HTTPServer

import pipeline
from pipeline import publish as publishing
from tests.publish_support import meta, sample_changes, sample_frames

PANDAS = """
import pandas as pd

support = pd.read_parquet("{root}/latest/feature_support.parquet")
preview = support[support.state == "Preview"][["environment", "feature", "resource", "platform"]]
"""

DUCKDB = """
import duckdb

ga = duckdb.sql(\"\"\"
    SELECT environment, feature, linux_state, windows_state
    FROM '{root}/latest/features.parquet'
    WHERE linux_state = 'GA' OR windows_state = 'GA'
    ORDER BY environment, feature
\"\"\").df()
"""

CSV = """
import pandas as pd

versions = pd.read_csv("{root}/latest/os_versions.csv", dtype={{"version_min": "string", "version_max": "string"}})
"""

AS_OF = """
import duckdb

ga_on_aks = duckdb.sql(\"\"\"
    SELECT feature, platform FROM '{root}/latest/timeline.parquet'
    WHERE resource = 'AKS' AND state = 'GA'
      AND valid_from <= TIMESTAMPTZ '2024-06-01 00:00:00+00'
      AND (valid_to IS NULL OR valid_to > TIMESTAMPTZ '2024-06-01 00:00:00+00')
\"\"\").df()
"""

JSON = """
import json, urllib.request
features = json.load(urllib.request.urlopen("{root}/latest/features.json"))
print([f["feature"] for f in features if f["environment"] == "Azure" and f["windows_state"] == "GA"])
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, pd.DataFrame]]:
    frames = sample_frames()
    out = tmp_path_factory.mktemp("consumers") / "output"
    publishing.publish(out, frames, sample_changes(), meta(frames))
    return out, frames


def _run(snippet: str, root: str) -> dict[str, Any]:
    scope: dict[str, Any] = {}
    exec(snippet.format(root=root), scope)
    return scope


def test_pandas_snippet(site: tuple[Path, dict[str, pd.DataFrame]]) -> None:
    out, frames = site
    preview = _run(PANDAS, str(out))["preview"]
    fs = frames["feature_support"]
    expected = fs[fs["state"] == "Preview"]
    assert len(preview) == len(expected) > 0
    got = set(preview.itertuples(index=False, name=None))
    assert got == set(expected[["environment", "feature", "resource", "platform"]].itertuples(index=False, name=None))


def test_duckdb_snippet(site: tuple[Path, dict[str, pd.DataFrame]]) -> None:
    out, frames = site
    ga = _run(DUCKDB, str(out))["ga"]
    f = frames["features"]
    expected = f[(f["linux_state"] == "GA") | (f["windows_state"] == "GA")]
    assert len(ga) == len(expected) > 0
    assert list(ga.columns) == ["environment", "feature", "linux_state", "windows_state"]
    assert sorted(ga["feature"]) == sorted(expected["feature"])
    assert list(ga["environment"]) == sorted(ga["environment"])


def test_duckdb_reads_lists_and_the_change_history(site: tuple[Path, dict[str, pd.DataFrame]]) -> None:
    import duckdb

    out, frames = site
    rows = duckdb.sql(
        f"SELECT feature, unnest(resources) AS resource FROM '{out}/latest/features.parquet' ORDER BY ALL"
    ).fetchall()
    expected = sorted((r.feature, res) for r in frames["features"].itertuples() for res in r.resources)
    assert rows == expected
    kinds = duckdb.sql(f"SELECT kind, count(*) FROM '{out}/latest/changes.parquet' GROUP BY kind ORDER BY kind")
    assert kinds.fetchall() == [("added", 1), ("promoted", 1), ("removed", 1)]


def test_json_snippet_through_a_url(site: tuple[Path, dict[str, pd.DataFrame]], capsys: pytest.CaptureFixture) -> None:
    out, frames = site
    scope = _run(JSON, out.as_uri())  # urllib reads file:// like https://
    f = frames["features"]
    expected = sorted(f[(f["environment"] == "Azure") & (f["windows_state"] == "GA")]["feature"])
    assert sorted(x["feature"] for x in scope["features"]) == sorted(f["feature"])
    printed = capsys.readouterr().out
    assert expected and all(name in printed for name in expected)


def test_pipeline_load_returns_the_dataset(site: tuple[Path, dict[str, pd.DataFrame]]) -> None:
    out, frames = site
    features = pipeline.load("features", root=out)
    assert list(features.columns) == list(frames["features"].columns)
    assert sorted(features["feature_key"]) == sorted(frames["features"]["feature_key"])
    row = features.set_index("feature_key").loc[frames["features"]["feature_key"].iloc[0]]
    assert row["resources"] == list(frames["features"]["resources"].iloc[0])
    assert isinstance(row["resources"], list)
    assert len(pipeline.load("changes", root=str(out))) == 3
    with pytest.raises(ValueError, match="unknown dataset"):
        pipeline.load("nope", root=out)


def test_pipeline_load_reads_the_published_site_over_http(
    site: tuple[Path, dict[str, pd.DataFrame]], httpserver: HTTPServer
) -> None:
    out, frames = site
    body = (out / "latest" / "features.parquet").read_bytes()
    httpserver.expect_request("/repo/latest/features.parquet").respond_with_data(body)
    features = pipeline.load("features", root=httpserver.url_for("/repo/"))
    assert sorted(features["feature_key"]) == sorted(frames["features"]["feature_key"])
    assert all(isinstance(v, list) for v in features["resources"])


def test_the_snippets_are_the_readme_s(site: tuple[Path, dict[str, pd.DataFrame]]) -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    for snippet in (CSV, AS_OF):
        assert snippet.format(root="output").strip().replace('\\"', '"') in readme


def test_csv_snippet_keeps_versions_as_text(site: tuple[Path, dict[str, pd.DataFrame]]) -> None:
    out, frames = site
    versions = _run(CSV, str(out))["versions"]
    expected = frames["os_versions"]
    assert sorted(versions["version_max"].dropna()) == sorted(expected["version_max"].dropna())
    assert "22.04" in set(versions["version_max"])


def test_as_of_snippet_answers_from_the_timeline(tmp_path: Path) -> None:
    from tests.timeline_support import baseline

    frames = sample_frames()
    history = pd.concat(
        [pd.DataFrame([baseline("2024-01-01T00:00:00Z", "1111111111111111", "2023-12-20", "c1")]), sample_changes()]
    )
    out = tmp_path / "output"
    publishing.publish(out, frames, history, meta(frames))
    ga = _run(AS_OF, str(out))["ga_on_aks"]
    fs = frames["feature_support"]
    expected = fs[(fs["resource"] == "AKS") & (fs["state"] == "GA")]
    # the sample history changes nothing on AKS after 2024-06-01 but adds nothing before: today's AKS rows
    # that no change touched held since the baseline
    touched = set(zip(history["feature"], history["resource"]))
    untouched = expected[[(f, "AKS") not in touched for f in expected["feature"]]]
    assert len(untouched) > 0
    assert set(zip(untouched["feature"], untouched["platform"])) <= set(zip(ga["feature"], ga["platform"]))
