"""pipeline.fetch when things go wrong: status codes and retries, timeouts, connection failures, offline,
local files (a real HTTP server on 127.0.0.1 and httpx.MockTransport; nothing touches the network)."""

from __future__ import annotations

import hashlib
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from pipeline.errors import BodyTooLarge, FetchError, HTTPStatusError, OfflineError, UsageError
from pipeline.fetch import USER_AGENT, Fetched, FetchPolicy, Validators, fetch, is_url
from tests.fetch_support import HTML, STAMP, FakeSleep, local, mock
from tests.support import DEFAULT_URL

# --- status codes and retries -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "retries", "match", "attempts"),
    [
        pytest.param(404, 3, "HTTP 404", 1, id="404-is-not-retried"),
        pytest.param(500, 2, "HTTP 500 after 3 attempts", 3, id="500-fails-after-retries"),
    ],
)
def test_an_error_status_fails_after_its_attempts(
    httpserver: HTTPServer, sleep: FakeSleep, status: int, retries: int, match: str, attempts: int
) -> None:
    httpserver.expect_request("/page").respond_with_data(b"no", status=status)
    with pytest.raises(HTTPStatusError, match=match) as info:
        fetch(httpserver.url_for("/page"), policy=local(retries=retries), sleep=sleep)
    assert info.value.status == status
    assert len(httpserver.log) == attempts
    assert len(sleep.calls) == attempts - 1  # a pause between attempts, none after the last


def test_503_twice_then_200_succeeds(httpserver: HTTPServer, sleep: FakeSleep) -> None:
    httpserver.expect_oneshot_request("/page").respond_with_data(b"busy", status=503)
    httpserver.expect_oneshot_request("/page").respond_with_data(b"busy", status=503)
    httpserver.expect_request("/page").respond_with_data(HTML)
    got = fetch(httpserver.url_for("/page"), policy=local(retries=3, backoff_base=0.5), sleep=sleep)
    assert got.body == HTML and got.http_status == 200
    assert len(httpserver.log) == 3
    # Exponential: base * 2**n plus up to `base` of jitter.
    assert len(sleep.calls) == 2
    assert 0.5 <= sleep.calls[0] <= 1.0
    assert 1.0 <= sleep.calls[1] <= 1.5


def test_backoff_is_capped(httpserver: HTTPServer, sleep: FakeSleep) -> None:
    httpserver.expect_request("/page").respond_with_data(b"boom", status=502)
    with pytest.raises(HTTPStatusError):
        fetch(httpserver.url_for("/page"), policy=local(retries=4, backoff_base=1.0, backoff_max=3.0), sleep=sleep)
    assert len(sleep.calls) == 4 and max(sleep.calls) <= 3.0


def test_429_honours_retry_after_seconds(httpserver: HTTPServer, sleep: FakeSleep) -> None:
    httpserver.expect_oneshot_request("/page").respond_with_data(b"slow down", status=429, headers={"Retry-After": "2"})
    httpserver.expect_request("/page").respond_with_data(HTML)
    got = fetch(httpserver.url_for("/page"), policy=local(), sleep=sleep)
    assert got.body == HTML
    assert sleep.calls == [2.0]


def test_retry_after_is_capped_at_backoff_max(httpserver: HTTPServer, sleep: FakeSleep) -> None:
    httpserver.expect_oneshot_request("/page").respond_with_data(b"", status=429, headers={"Retry-After": "3600"})
    httpserver.expect_request("/page").respond_with_data(HTML)
    fetch(httpserver.url_for("/page"), policy=local(backoff_max=5.0), sleep=sleep)
    assert sleep.calls == [5.0]


def test_retry_after_http_date(sleep: FakeSleep) -> None:
    when = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(time.time() + 10))
    responses = iter([httpx.Response(503, headers={"Retry-After": when}), httpx.Response(200, content=HTML)])
    transport, _ = mock(lambda request: next(responses))
    fetch(DEFAULT_URL, transport=transport, sleep=sleep)
    assert len(sleep.calls) == 1 and 7.0 <= sleep.calls[0] <= 10.0


def test_429_after_retries_raises_status_error(sleep: FakeSleep) -> None:
    transport, seen = mock(lambda request: httpx.Response(429, headers={"Retry-After": "1"}))
    with pytest.raises(HTTPStatusError, match="HTTP 429") as info:
        fetch(DEFAULT_URL, transport=transport, policy=FetchPolicy(retries=1), sleep=sleep)
    assert info.value.status == 429 and len(seen) == 2 and sleep.calls == [1.0]


# --- timeouts, connection failures, offline -----------------------------------------------------


def test_hanging_server_times_out_quickly(httpserver: HTTPServer, sleep: FakeSleep) -> None:
    release = threading.Event()

    def hang(request: Request) -> Response:
        release.wait(1.0)
        return Response(HTML)

    httpserver.expect_request("/slow").respond_with_handler(hang)
    started = time.monotonic()
    try:
        with pytest.raises(FetchError, match="timed out after 2 attempts"):
            fetch(httpserver.url_for("/slow"), policy=local(read_timeout=0.2, retries=1), sleep=sleep)
        assert time.monotonic() - started < 1.0
        assert len(sleep.calls) == 1
    finally:
        # The server is single-threaded: let it drain both requests so the next test starts clean.
        release.set()
        deadline = time.monotonic() + 3
        while len(httpserver.log) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)


def raising(exc_factory: Callable[[httpx.Request], Exception]) -> Callable[[httpx.Request], httpx.Response]:
    def handler(request: httpx.Request) -> httpx.Response:
        raise exc_factory(request)

    return handler


def dns_failure(request: httpx.Request) -> Exception:
    try:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    except socket.gaierror as cause:
        error = httpx.ConnectError("[Errno -2] lookup failed", request=request)
        error.__cause__ = cause
        return error


def test_dns_failure_is_offline_without_retries(sleep: FakeSleep) -> None:
    transport, seen = mock(raising(dns_failure))
    with pytest.raises(OfflineError, match=r"learn.microsoft.com"):
        fetch(DEFAULT_URL, transport=transport, sleep=sleep)
    assert len(seen) == 1
    assert sleep.calls == []


def test_dns_failure_detected_from_message(sleep: FakeSleep) -> None:
    transport, seen = mock(
        raising(lambda r: httpx.ConnectError("[Errno -3] Temporary failure in name resolution", request=r))
    )
    with pytest.raises(OfflineError):
        fetch(DEFAULT_URL, transport=transport, sleep=sleep)
    assert len(seen) == 1 and sleep.calls == []


def test_connection_refused_is_retried_then_fails(sleep: FakeSleep) -> None:
    transport, seen = mock(raising(lambda r: httpx.ConnectError("[Errno 111] Connection refused", request=r)))
    with pytest.raises(FetchError, match=r"could not connect .* after 3 attempts") as info:
        fetch(DEFAULT_URL, transport=transport, policy=FetchPolicy(retries=2), sleep=sleep)
    assert not isinstance(info.value, OfflineError | HTTPStatusError)
    assert len(seen) == 3 and len(sleep.calls) == 2


def test_connect_timeout_is_retried(sleep: FakeSleep) -> None:
    transport, seen = mock(raising(lambda r: httpx.ConnectTimeout("timed out", request=r)))
    with pytest.raises(FetchError, match="timed out after 2 attempts"):
        fetch(DEFAULT_URL, transport=transport, policy=FetchPolicy(retries=1), sleep=sleep)
    assert len(seen) == 2


def test_error_messages_are_one_line_without_headers(sleep: FakeSleep) -> None:
    transport, _ = mock(raising(lambda r: httpx.ConnectError("refused\n  detail line", request=r)))
    validators = Validators(etag='"secret-etag"')
    with pytest.raises(FetchError) as info:
        fetch(DEFAULT_URL, validators=validators, transport=transport, policy=FetchPolicy(retries=0), sleep=sleep)
    text = info.value.one_line()
    assert "\n" not in str(info.value)
    assert "secret-etag" not in text and USER_AGENT not in text


# --- local files --------------------------------------------------------------------------------


def test_local_file(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_bytes(HTML)
    got = fetch(str(page), fetched_at=STAMP)
    assert got == Fetched(
        source=str(page),
        body=HTML,
        final_url=None,
        fetched_at=STAMP,
        http_status=None,
        etag=None,
        last_modified=None,
        provenance="file",
    )
    assert got.sha256 == hashlib.sha256(HTML).hexdigest()


def test_file_url(tmp_path: Path) -> None:
    page = tmp_path / "a page.html"
    page.write_bytes(HTML)
    got = fetch(page.as_uri())
    assert got.body == HTML and got.provenance == "file" and got.source == page.as_uri()


def test_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.html"
    with pytest.raises(FetchError, match=r"nope.html") as info:
        fetch(str(missing))
    assert "\n" not in str(info.value)


def test_directory_is_a_usage_error(tmp_path: Path) -> None:
    # a folder is a wrong argument, not a page that failed to arrive (exit 2, not 3)
    with pytest.raises(UsageError, match="is a folder, not a page"):
        fetch(str(tmp_path))
    with pytest.raises(UsageError):
        fetch(tmp_path.as_uri())


def test_file_over_cap(tmp_path: Path) -> None:
    page = tmp_path / "big.html"
    page.write_bytes(b"z" * 2000)
    with pytest.raises(BodyTooLarge):
        fetch(str(page), policy=FetchPolicy(max_bytes=1000))


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (DEFAULT_URL, True),
        ("HTTP://127.0.0.1:8000/x", True),
        ("file:///tmp/page.html", False),
        ("snapshots/page.html", False),
        ("/abs/page.html", False),
        ("ftp://example.com/x", False),
    ],
)
def test_is_url(source: str, expected: bool) -> None:
    assert is_url(source) is expected


def test_a_broken_compressed_body_is_one_fetch_error(httpserver: HTTPServer, sleep: FakeSleep) -> None:
    httpserver.expect_request("/gz").respond_with_data(
        b"\x1f\x8b\x08not really gzip", headers={"Content-Encoding": "gzip"}, content_type="text/html"
    )
    with pytest.raises(FetchError) as info:
        fetch(httpserver.url_for("/gz"), policy=local(), sleep=sleep, fetched_at=STAMP)
    line = info.value.one_line()
    assert "\n" not in line and "DecodingError" in line
