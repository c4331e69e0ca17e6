"""Every failure of ``run`` ends the same way (pipeline/_failures.py and the ``run`` wrapper): one line on
stderr, the exit code the README documents, a pipeline-health alert, and snapshots/ and output/ as
they were. Each fault is injected into a store that has had one good run."""

from __future__ import annotations

import contextlib
import functools
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from pipeline import alerts
from pipeline import fetch as fetching
from pipeline.cli import main
from pipeline.errors import InternalError, PublishError, SnapshotError
from pipeline.run import RunOptions, run
from tests.alerts_support import Hook, only_target
from tests.fetch_support import RawServer, serving
from tests.support import page_dir, read_only, tree_digest

SAMPLE = Path(__file__).parent / "fixtures" / "learn_sample.html"
STATE = "alerts-state.json"


@pytest.fixture
def hook(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> Hook:
    return only_target(httpserver, monkeypatch)


@pytest.fixture
def loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI's fetch policy, allowed to reach a plain-http server on 127.0.0.1."""
    policy = functools.partial(fetching.FetchPolicy, allowed_hosts=("127.0.0.1",), require_https=False)
    monkeypatch.setattr(fetching, "FetchPolicy", policy)


@pytest.fixture
def raw() -> Iterator[RawServer]:
    yield from serving(RawServer(body=SAMPLE.read_bytes()))


def cli(tmp_path: Path, source: Path | str, *extra: str, fetched_at: str = "2025-04-16T06:00:00Z") -> int:
    snapshots, output = str(tmp_path / "snapshots"), str(tmp_path / "output")
    args = ["run", "--source", str(source), "--snapshots", snapshots, "--output", output, "--fetched-at", fetched_at]
    return main([*args, *extra])


def newer_page(tmp_path: Path) -> Path:
    """A later revision of the sample (a new review date): something to store and publish."""
    page = tmp_path / "newer.html"
    page.write_text(SAMPLE.read_text(encoding="utf-8").replace("2025-03-30", "2025-04-15"), encoding="utf-8")
    return page


@pytest.fixture
def store(tmp_path: Path, hook: Hook) -> Path:
    assert cli(tmp_path, SAMPLE, fetched_at="2025-03-30T10:00:00Z") == 0
    assert hook.posts == []
    return page_dir(tmp_path / "snapshots")


def _rewrite_index(snapshots: Path, change: Callable[[dict[str, Any]], Any]) -> None:
    index = snapshots / "index.json"
    data = json.loads(index.read_text(encoding="utf-8"))
    index.write_text(json.dumps(change(data)), encoding="utf-8")


def _without_id(data: dict[str, Any]) -> dict[str, Any]:
    del data["snapshots"][0]["id"]
    return data


def _id_outside(data: dict[str, Any]) -> dict[str, Any]:
    data["snapshots"][0]["id"] = "../../elsewhere"
    return data


Fault = Callable[[Path, pytest.MonkeyPatch], contextlib.AbstractContextManager[None]]


def damage(write: Callable[[Path], None]) -> Fault:
    @contextlib.contextmanager
    def fault(snapshots: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
        write(snapshots)
        yield

    return fault


@contextlib.contextmanager
def _read_only_store(snapshots: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    with read_only(snapshots):
        yield


@contextlib.contextmanager
def _a_bug(snapshots: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    def broken(*args: object, **kw: object) -> None:
        raise KeyError("feature_key")

    monkeypatch.setattr("pipeline.run.build", broken)
    yield


def _state(text: str) -> Callable[[Path], None]:
    return lambda snapshots: (snapshots / STATE).write_text(text, encoding="utf-8")


# name: (fault, exit code, stage, words of the one line)
FAULTS: dict[str, tuple[Fault, int, str, str]] = {
    "index is a list": (damage(lambda s: (s / "index.json").write_text("[]")), 6, "snapshots", "index.json has the"),
    "index entry without id": (damage(lambda s: _rewrite_index(s, _without_id)), 6, "snapshots", "entry 0 has no"),
    "index id outside the store": (damage(lambda s: _rewrite_index(s, _id_outside)), 6, "snapshots", "no valid id"),
    "index not JSON": (damage(lambda s: (s / "index.json").write_text("{")), 6, "snapshots", "cannot read"),
    "read-only store": (_read_only_store, 6, "snapshots", "cannot"),
    "an unexpected exception": (_a_bug, 1, "internal", "KeyError: 'feature_key' (a bug; re-run with --debug"),
}


@pytest.mark.parametrize("name", FAULTS)
def test_a_fault_is_one_line_its_exit_code_a_health_alert_and_nothing_written(
    name: str, tmp_path: Path, store: Path, hook: Hook, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    fault, code, stage, words = FAULTS[name]
    page = newer_page(tmp_path)
    capsys.readouterr()
    with fault(store, monkeypatch):
        state_before = (store / STATE).read_bytes() if (store / STATE).exists() else None
        snapshots = {k: v for k, v in tree_digest(store).items() if k != STATE}
        output = tree_digest(tmp_path / "output")
        assert cli(tmp_path, page) == code
        assert {k: v for k, v in tree_digest(store).items() if k != STATE} == snapshots
        assert tree_digest(tmp_path / "output") == output
        state_after = (store / STATE).read_bytes() if (store / STATE).exists() else None
    err = capsys.readouterr().err.splitlines()
    errors = [line for line in err if line.startswith("supportmatrix:")]
    assert errors == [errors[0]] and errors[0].startswith(f"supportmatrix: {stage}: ") and words in errors[0]
    assert all(line.startswith("alerts:") for line in err if line not in errors), err  # no traceback
    assert [p["title"] for p in hook.posts] == [
        f"Defender for Containers support matrix: pipeline health: {stage} failed"
    ]
    if name == "read-only store":
        assert state_after == state_before  # it cannot change
    else:
        assert json.loads(state_after or b"{}")["health"]["stage"] == stage  # announced once, remembered


def test_debug_shows_the_bug_itself(tmp_path: Path, store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    args = ["--debug", "run", "--source", str(newer_page(tmp_path)), "--snapshots", str(store.parent)]
    with _a_bug(store, monkeypatch), pytest.raises(KeyError, match="feature_key"):
        main([*args, "--output", str(tmp_path / "output")])


def test_the_wrapper_raises_pipeline_errors_keeping_the_cause(tmp_path: Path, store: Path) -> None:
    opts = RunOptions(source=str(newer_page(tmp_path)), snapshots=store, output=page_dir(tmp_path / "output"))
    with read_only(store), pytest.raises(SnapshotError) as info:
        run(opts)
    assert isinstance(info.value.__cause__, PermissionError)


def test_an_os_error_in_output_is_the_publication_s(tmp_path: Path) -> None:
    from pipeline._failures import as_pipeline_error

    snapshots, output = tmp_path / "snapshots", tmp_path / "output"
    error = PermissionError(13, "Permission denied", str(output / "latest" / "x.json"))
    assert isinstance(as_pipeline_error(error, snapshots=snapshots, output=output), PublishError)
    nested = tmp_path / "output" / "snapshots"  # the deepest root wins
    error = PermissionError(13, "Permission denied", str(nested / "index.json"))
    assert isinstance(as_pipeline_error(error, snapshots=nested, output=output), SnapshotError)
    elsewhere = OSError(28, "No space left on device")
    assert isinstance(as_pipeline_error(elsewhere, snapshots=snapshots, output=output), InternalError)


def test_a_trickling_server_fails_the_run_at_the_deadline(
    tmp_path: Path, store: Path, hook: Hook, raw: RawServer, loopback: None, capsys: Any
) -> None:
    raw.trickle_body = True
    output, snapshots = tree_digest(tmp_path / "output"), tree_digest(store)
    capsys.readouterr()
    assert cli(tmp_path, raw.url, "--require-live", "--fetch-deadline", "1.5") == 3
    (line,) = [x for x in capsys.readouterr().err.splitlines() if x.startswith("supportmatrix:")]
    assert line.startswith("supportmatrix: fetch: GET http://127.0.0.1:") and "1.5 s fetch deadline" in line
    assert tree_digest(tmp_path / "output") == output
    assert {k: v for k, v in tree_digest(store).items() if k != STATE} == snapshots
    assert [p["title"] for p in hook.posts] == ["Defender for Containers support matrix: pipeline health: fetch failed"]


def test_a_non_ascii_etag_never_wedges_the_run(tmp_path: Path, raw: RawServer, loopback: None) -> None:
    raw.head = b'HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nETag: "caf\xc3\xa9"\r\nConnection: close\r\n\r\n'
    assert cli(tmp_path, raw.url) == 0
    store = page_dir(tmp_path / "snapshots")
    index = json.loads((store / "index.json").read_text(encoding="utf-8"))
    assert index["snapshots"][0]["etag"] is None  # not stored
    # a store written before this fix holds it: the next runs send no If-None-Match and carry on
    _rewrite_index(store, lambda d: {"snapshots": [{**e, "etag": '"café"'} for e in d["snapshots"]]})
    assert cli(tmp_path, raw.url, fetched_at="2025-04-17T06:00:00Z") == 0
    assert cli(tmp_path, raw.url, fetched_at="2025-04-18T06:00:00Z") == 0
    assert len(raw.requests) == 3 and not any(b"if-none-match" in r.lower() for r in raw.requests)


def test_a_health_alert_that_breaks_never_hides_the_failure(
    tmp_path: Path, store: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    def broken(*args: object, **kw: object) -> None:
        raise RuntimeError("apprise fell over")

    monkeypatch.setattr(alerts, "health_failure", broken)
    (store / "index.json").write_text("[]", encoding="utf-8")
    capsys.readouterr()
    assert cli(tmp_path, newer_page(tmp_path)) == SnapshotError.exit_code
    err = capsys.readouterr().err.splitlines()
    assert err[0] == "alerts: health alert not sent: RuntimeError: apprise fell over"
    assert err[1].startswith("supportmatrix: snapshots: ") and len(err) == 2


@pytest.mark.parametrize(
    "text",
    ["[]", '{"version": 1, "pending": "x"}', '{"version": 1, "health": {"status": "maybe"}}'],
)
def test_an_alert_state_of_the_wrong_shape_is_rebuilt_not_a_crash(
    tmp_path: Path, store: Path, text: str, capsys: Any
) -> None:
    (store / STATE).write_text(text, encoding="utf-8")
    capsys.readouterr()
    assert cli(tmp_path, newer_page(tmp_path)) == 0
    assert "repaired: alert state" in capsys.readouterr().err
    from pipeline.alerts import _state as _alert_state

    _alert_state.load(store)  # readable again (the damaged file is kept aside)
    assert any(p.name.startswith(STATE) and p.name != STATE for p in store.iterdir())
