"""The main job end to end on tmp_path: CLI in, files out, bad input leaves output/ alone."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from pipeline import fetch as fetching
from pipeline.cli import main
from pipeline.errors import FetchError, HTTPStatusError, OfflineError, PipelineError
from pipeline.run import RunOptions, run
from tests.fetch_support import local
from tests.support import DEFAULT_URL, page_dir, tree_digest

FIXTURES = Path(__file__).parent / "fixtures"
SAMPLE = FIXTURES / "learn_sample.html"
FETCHED_AT = "2025-03-30T10:00:00Z"


def cli(tmp_path: Path, source: Path | str, *extra: str) -> int:
    return main(
        [
            "run",
            "--source",
            str(source),
            "--snapshots",
            str(tmp_path / "snapshots"),
            "--output",
            str(tmp_path / "output"),
            "--fetched-at",
            FETCHED_AT,
            *extra,
        ]
    )


def test_run_on_a_file_publishes_latest_and_a_snapshot(tmp_path: Path) -> None:
    assert cli(tmp_path, SAMPLE) == 0
    latest = page_dir(tmp_path / "output") / "latest"
    for name in ("cells", "tables", "footnotes", "notes", "page"):
        assert (latest / f"{name}.parquet").is_file()
        assert (latest / f"{name}.json").is_file()
    page = json.loads((latest / "page.json").read_text(encoding="utf-8"))[0]
    assert page["sha256"] == hashlib.sha256(SAMPLE.read_bytes()).hexdigest()
    assert page["provenance"] == "file"
    assert page["fetched_at"] == FETCHED_AT
    assert page["title"] == "Containers support matrix in Defender for Cloud"
    index = json.loads((page_dir(tmp_path / "snapshots") / "index.json").read_text(encoding="utf-8"))
    assert [s["sha256"] for s in index["snapshots"]] == [page["sha256"]]


def test_datasets_load_in_three_lines_of_pandas(tmp_path: Path) -> None:
    assert cli(tmp_path, SAMPLE) == 0
    import pandas as pd

    cells = pd.read_parquet(page_dir(tmp_path / "output") / "latest" / "cells.parquet")
    assert list(cells.columns)[:4] == ["table_index", "section", "tab", "subheading"]
    assert (cells["value"] == "Binary drift detection").any()


def test_same_page_twice_is_unchanged_and_byte_identical(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(tmp_path, SAMPLE) == 0
    before = tree_digest(tmp_path / "output")
    assert cli(tmp_path, SAMPLE) == 0
    assert "unchanged" in capsys.readouterr().err
    assert tree_digest(tmp_path / "output") == before


def test_rebuild_from_a_snapshot_is_byte_identical(tmp_path: Path) -> None:
    assert cli(tmp_path, SAMPLE) == 0
    first = tree_digest(tmp_path / "output")
    other = tmp_path / "again"
    (other / "output").mkdir(parents=True)
    assert cli(other, SAMPLE) == 0
    assert tree_digest(other / "output") == first


def test_offline_falls_back_to_the_newest_snapshot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(tmp_path, SAMPLE) == 0
    published = tree_digest(tmp_path / "output")
    for path in (tmp_path / "output").rglob("*.json"):
        path.unlink()  # so the fallback really has to rebuild

    def offline(*args: object, **kwargs: object) -> fetching.Fetched:
        raise OfflineError("no network: could not resolve learn.microsoft.com")

    monkeypatch.setattr(fetching, "fetch", offline)
    assert cli(tmp_path, DEFAULT_URL) == 0
    err = capsys.readouterr().err
    assert "offline" in err and "rebuilding from the newest snapshot" in err
    assert tree_digest(tmp_path / "output") == published


def test_offline_with_require_live_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(tmp_path, SAMPLE) == 0

    def offline(*args: object, **kwargs: object) -> fetching.Fetched:
        raise OfflineError("no network: could not resolve learn.microsoft.com")

    monkeypatch.setattr(fetching, "fetch", offline)
    assert cli(tmp_path, DEFAULT_URL, "--require-live") == OfflineError.exit_code
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("supportmatrix: fetch: no network")


def test_offline_without_any_snapshot_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def offline(*args: object, **kwargs: object) -> fetching.Fetched:
        raise OfflineError("no network")

    monkeypatch.setattr(fetching, "fetch", offline)
    assert cli(tmp_path, DEFAULT_URL) == FetchError.exit_code
    assert not (page_dir(tmp_path / "output") / "latest").exists()


BAD_FILES = {
    "empty": b"",
    "not-html": b"\x89PNG\r\n\x1a\n binary",
    "sign-in": b"<!DOCTYPE html><html><body><main><div unauthorized-private-section><p>Access to this page requires "
    b"authorization. You can try signing in or changing directories.</p></div></main></body></html>",
    "truncated": SAMPLE.read_bytes()[:9000],  # mid-way through the second table
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_page_exits_non_zero_with_one_line_and_leaves_output_alone(
    tmp_path: Path, case: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(tmp_path, SAMPLE) == 0
    before = tree_digest(tmp_path / "output")
    snapshots_before = tree_digest(tmp_path / "snapshots")
    bad = tmp_path / f"{case}.html"
    bad.write_bytes(BAD_FILES[case])
    capsys.readouterr()
    code = cli(tmp_path, bad)
    assert code != 0
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("supportmatrix: ")
    assert tree_digest(tmp_path / "output") == before
    assert tree_digest(tmp_path / "snapshots") == snapshots_before


def test_missing_file_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(tmp_path, tmp_path / "nope.html") == FetchError.exit_code
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "nope.html" in err[0]


def _local_policy(**kw: object) -> fetching.FetchPolicy:
    """The fetch tests' local-server policy, with a run's quick retries and a short read timeout."""
    settings: dict[str, object] = {"retries": 1, "backoff_base": 0.01, "backoff_max": 0.05, "read_timeout": 0.5}
    return local(**{**settings, **kw})


def _run_http(tmp_path: Path, url: str, **policy: object) -> None:
    run(
        RunOptions(
            source=url,
            snapshots=tmp_path / "snapshots",
            output=tmp_path / "output",
            fetched_at=FETCHED_AT,
            policy=_local_policy(**policy),
        )
    )


def test_a_run_fetches_with_its_pages_allowed_hosts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The default policy names no hosts (fetch alone would allow the URL's own); a run fills in the page's."""
    import httpx

    from pipeline.errors import HostNotAllowed
    from pipeline.pages import DEFAULT, get

    asked: list[str] = []
    policies: list[fetching.FetchPolicy] = []

    def serve(request: httpx.Request) -> httpx.Response:
        asked.append(request.url.host)
        return httpx.Response(200, content=SAMPLE.read_bytes())

    real = fetching.fetch

    def through_the_mock(source: str, *, policy: fetching.FetchPolicy, **kw: Any) -> fetching.Fetched:
        policies.append(policy)
        return real(source, policy=policy, transport=httpx.MockTransport(serve), **kw)

    def options(source: str | None) -> RunOptions:
        return RunOptions(source, snapshots=tmp_path / "snapshots", output=tmp_path / "output", fetched_at=FETCHED_AT)

    monkeypatch.setattr(fetching, "fetch", through_the_mock)
    assert run(options(None)).status == "published"  # the page's URL
    assert policies[-1].allowed_hosts == get(DEFAULT).allowed_hosts == ("learn.microsoft.com",)
    assert asked == ["learn.microsoft.com"]
    with pytest.raises(HostNotAllowed, match=r"'example\.com' is not allowed"):  # not the URL's own host: the page's
        run(options("https://example.com/page"))
    assert policies[-1].allowed_hosts == ("learn.microsoft.com",) and asked == ["learn.microsoft.com"]


def test_http_page_is_fetched_and_published(tmp_path: Path, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/page").respond_with_data(SAMPLE.read_bytes(), content_type="text/html")
    _run_http(tmp_path, httpserver.url_for("/page"))
    page = json.loads((tmp_path / "output" / "latest" / "page.json").read_text(encoding="utf-8"))[0]
    assert page["provenance"] == "fetched" and page["http_status"] == 200


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("404", HTTPStatusError),
        ("503", HTTPStatusError),
        ("too-big", FetchError),
        ("redirect-away", FetchError),
    ],
)
def test_http_failures_leave_output_alone(tmp_path: Path, httpserver: HTTPServer, case: str, expected: type) -> None:
    httpserver.expect_request("/good").respond_with_data(SAMPLE.read_bytes(), content_type="text/html")
    _run_http(tmp_path, httpserver.url_for("/good"))
    before = tree_digest(tmp_path / "output")
    if case == "404":
        httpserver.expect_request("/bad").respond_with_data("not found", status=404)
    elif case == "503":
        httpserver.expect_request("/bad").respond_with_data("busy", status=503)
    elif case == "too-big":
        httpserver.expect_request("/bad").respond_with_data(b"<html>" + b"x" * 20000, content_type="text/html")
    else:
        httpserver.expect_request("/bad").respond_with_data(
            "", status=302, headers={"Location": "https://evil.example.com/page"}
        )
    with pytest.raises(expected) as info:
        _run_http(tmp_path, httpserver.url_for("/bad"), max_bytes=10000)
    assert "\n" not in info.value.one_line()
    assert tree_digest(tmp_path / "output") == before


def test_a_hanging_server_times_out(tmp_path: Path, httpserver: HTTPServer) -> None:
    import threading

    release = threading.Event()

    def slow(request: object) -> object:
        from werkzeug import Response

        release.wait(1.5)
        return Response("late")

    httpserver.expect_request("/hang").respond_with_handler(slow)
    try:
        with pytest.raises(PipelineError, match="timed out"):
            _run_http(tmp_path, httpserver.url_for("/hang"), read_timeout=0.2, retries=0)
    finally:
        release.set()
    assert not (tmp_path / "output" / "latest").exists()


def _rerun_in_subprocess(tmp_path: Path, source: Path | str) -> tuple[int, bool]:
    """Run the job in a fresh interpreter; say whether Great Expectations was imported."""
    import subprocess
    import sys

    code = (
        "import sys\nfrom pipeline.cli import main\n"
        f"code = main(['run', '--source', {str(source)!r}, '--snapshots', {str(tmp_path / 'snapshots')!r},"
        f" '--output', {str(tmp_path / 'output')!r}, '--fetched-at', {FETCHED_AT!r}])\n"
        "print('GX' if 'great_expectations' in sys.modules else 'no GX')\nsys.exit(code)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    return done.returncode, done.stdout.strip().splitlines()[-1] == "GX"


def test_rebuilding_output_from_a_validated_snapshot_reuses_its_validation(tmp_path: Path) -> None:
    assert cli(tmp_path, SAMPLE) == 0
    published = tree_digest(tmp_path / "output")
    (page_dir(tmp_path / "output") / "index.html").unlink()  # the publication incomplete: the run must rebuild it
    code, imported_gx = _rerun_in_subprocess(tmp_path, SAMPLE)
    assert code == 0 and not imported_gx
    assert tree_digest(tmp_path / "output") == published


def test_a_publication_under_an_older_data_contract_is_rebuilt(tmp_path: Path) -> None:
    from pipeline.schema import SCHEMA_VERSION

    assert cli(tmp_path, SAMPLE) == 0
    published = tree_digest(tmp_path / "output")
    descriptor = page_dir(tmp_path / "output") / "datapackage.json"
    older = json.loads(descriptor.read_bytes())
    older["version"] = "1.0.0"  # what an earlier release wrote; every file it lists is still intact
    descriptor.write_text(json.dumps(older), encoding="utf-8")
    code, imported_gx = _rerun_in_subprocess(tmp_path, SAMPLE)
    assert code == 0 and not imported_gx  # rebuilt from the validated snapshot: no new validation
    assert json.loads(descriptor.read_bytes())["version"] == SCHEMA_VERSION
    assert tree_digest(tmp_path / "output") == published


def test_datasets_that_differ_from_the_validated_ones_are_validated_again(tmp_path: Path) -> None:
    import pandas as pd

    from pipeline._io import write_dataset

    assert cli(tmp_path, SAMPLE) == 0
    (page_dir(tmp_path / "output") / "index.html").unlink()
    snapshot = next(p for p in page_dir(tmp_path / "snapshots").iterdir() if (p / "datasets").is_dir())
    stored = pd.read_parquet(snapshot / "datasets" / "notes.parquet")
    stored.loc[0, "text"] = "what an older extractor read"
    write_dataset(stored, snapshot / "datasets", "notes", formats=("parquet",))
    code, imported_gx = _rerun_in_subprocess(tmp_path, SAMPLE)
    assert code == 0 and imported_gx


def test_a_304_with_output_missing_rebuilds_it_from_the_snapshot(tmp_path: Path, httpserver: HTTPServer) -> None:
    httpserver.expect_ordered_request("/page").respond_with_data(
        SAMPLE.read_bytes(), content_type="text/html", headers={"ETag": '"v1"'}
    )
    httpserver.expect_ordered_request("/page", headers={"If-None-Match": '"v1"'}).respond_with_data("", status=304)
    httpserver.expect_ordered_request("/page", headers={"If-None-Match": '"v1"'}).respond_with_data("", status=304)
    _run_http(tmp_path, httpserver.url_for("/page"))
    published = tree_digest(tmp_path / "output")
    (tmp_path / "output" / "latest" / "features.json").unlink()
    _run_http(tmp_path, httpserver.url_for("/page"))  # 304, but output/ is incomplete
    assert tree_digest(tmp_path / "output") == published
    _run_http(tmp_path, httpserver.url_for("/page"))  # 304 and complete: nothing to do
    assert tree_digest(tmp_path / "output") == published
