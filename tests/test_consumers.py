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

from .publish_support import meta, sample_changes, sample_frames

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
