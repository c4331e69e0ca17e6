"""pipeline.fetch against a real HTTP server on 127.0.0.1 (pytest-httpserver) and httpx.MockTransport.

Nothing here touches the network: the real server is local, and everything a local server cannot
play (https, DNS failure, refused connections) goes through a MockTransport.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import httpx
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from pipeline.errors import BodyTooLarge, FetchError, HostNotAllowed
from pipeline.fetch import USER_AGENT, Fetched, FetchPolicy, Validators, fetch
from tests.fetch_support import HTML, STAMP, FakeSleep, local, mock, url_on
from tests.support import DEFAULT_URL

# --- success, validators, conditional GET -------------------------------------------------------


def test_200_returns_body_and_validators(httpserver: HTTPServer, sleep: FakeSleep) -> None:
    httpserver.expect_request("/page").respond_with_data(
        HTML, content_type="text/html", headers={"ETag": '"abc123"', "Last-Modified": "Wed, 25 Nov 2026 10:00:00 GMT"}
    )
    url = httpserver.url_for("/page")
    got = fetch(url, policy=local(), fetched_at=STAMP, sleep=sleep)
    assert got == Fetched(
        source=url,
        body=HTML,
        final_url=url,
        fetched_at=STAMP,
        http_status=200,
        etag='"abc123"',
        last_modified="Wed, 25 Nov 2026 10:00:00 GMT",
        provenance="fetched",
        not_modified=False,
    )
    assert got.sha256 == hashlib.sha256(HTML).hexdigest()
    assert got.bytes == len(HTML)
    assert sleep.calls == []


def test_fetched_at_defaults_to_utc_now(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/page").respond_with_data(HTML)
    got = fetch(httpserver.url_for("/page"), policy=local())
    assert len(got.fetched_at) == 20 and got.fetched_at.endswith("Z") and got.fetched_at[10] == "T"


def test_user_agent_and_accept_headers_sent(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/page", headers={"User-Agent": USER_AGENT}).respond_with_data(HTML)
    fetch(httpserver.url_for("/page"), policy=local())
    request, _ = httpserver.log[0]
    assert request.headers["User-Agent"].startswith("supportmatrix/")
    assert "github.com/supportmatrix" in request.headers["User-Agent"]
    assert "text/html" in request.headers["Accept"]


def test_304_sends_validators_and_returns_not_modified(httpserver: HTTPServer) -> None:
    httpserver.expect_request(
        "/page", headers={"If-None-Match": '"abc123"', "If-Modified-Since": "Wed, 25 Nov 2026 10:00:00 GMT"}
    ).respond_with_data(b"", status=304, headers={"ETag": '"abc123"'})
    validators = Validators(etag='"abc123"', last_modified="Wed, 25 Nov 2026 10:00:00 GMT")
    got = fetch(httpserver.url_for("/page"), validators=validators, policy=local(), fetched_at=STAMP)
    assert got.not_modified is True
    assert got.body == b"" and got.bytes == 0
    assert got.http_status == 304
    assert got.etag == '"abc123"'
    assert got.last_modified == "Wed, 25 Nov 2026 10:00:00 GMT"  # carried over from the validators
    assert len(httpserver.log) == 1


def test_no_conditional_headers_without_validators(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/page").respond_with_data(HTML)
    fetch(httpserver.url_for("/page"), policy=local())
    request, _ = httpserver.log[0]
    assert "If-None-Match" not in request.headers and "If-Modified-Since" not in request.headers


# --- redirects and the allow-list ---------------------------------------------------------------


def test_redirect_to_allowed_host_is_followed(httpserver: HTTPServer) -> None:
    target = url_on(httpserver, "127.0.0.1", "/final")
    httpserver.expect_request("/start").respond_with_data(b"", status=301, headers={"Location": target})
    httpserver.expect_request("/final").respond_with_data(HTML)
    start = url_on(httpserver, "localhost", "/start")
    got = fetch(start, policy=local())
    assert got.body == HTML
    assert got.source == start
    assert got.final_url == target
    assert len(httpserver.log) == 2


def test_relative_redirect_is_followed(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/old").respond_with_data(b"", status=302, headers={"Location": "/new"})
    httpserver.expect_request("/new").respond_with_data(HTML)
    got = fetch(httpserver.url_for("/old"), policy=local())
    assert got.body == HTML and got.final_url == httpserver.url_for("/new")


def test_redirect_to_disallowed_host_is_rejected(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/start").respond_with_data(
        b"", status=302, headers={"Location": url_on(httpserver, "127.0.0.1", "/elsewhere")}
    )
    httpserver.expect_request("/elsewhere").respond_with_data(HTML)
    with pytest.raises(HostNotAllowed, match=r"127.0.0.1") as info:
        fetch(url_on(httpserver, "localhost", "/start"), policy=local(allowed_hosts=("localhost",)))
    assert "redirect" in str(info.value)
    assert len(httpserver.log) == 1  # the disallowed hop was never requested


def test_initial_host_not_allowed(httpserver: HTTPServer) -> None:
    with pytest.raises(HostNotAllowed, match=r"127.0.0.1"):
        fetch(url_on(httpserver, "127.0.0.1", "/page"), policy=local(allowed_hosts=("localhost",)))
    assert httpserver.log == []


def test_default_policy_only_allows_the_host_of_the_url_asked_for() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/moved":
            return httpx.Response(302, headers={"Location": "https://elsewhere.example.net/page"})
        return httpx.Response(200, content=HTML)

    transport, seen = mock(handler)
    assert fetch("https://example.com/page", transport=transport, fetched_at=STAMP).body == HTML
    with pytest.raises(HostNotAllowed, match=r"elsewhere\.example\.net.*allowed hosts: example\.com"):
        fetch("https://example.com/moved", transport=transport, fetched_at=STAMP)
    assert [r.url.host for r in seen] == ["example.com", "example.com"]  # the other host is never asked


def test_http_rejected_when_https_required() -> None:
    transport, seen = mock(lambda request: httpx.Response(200, content=HTML))
    with pytest.raises(HostNotAllowed, match="https"):
        fetch(DEFAULT_URL.replace("https://", "http://"), transport=transport)
    assert seen == []


def test_https_to_http_redirect_rejected() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(301, headers={"Location": "http://learn.microsoft.com/plain"})

    transport, seen = mock(handler)
    with pytest.raises(HostNotAllowed, match="https"):
        fetch(DEFAULT_URL, transport=transport)
    assert len(seen) == 1


def test_default_url_fetched_over_mock_https() -> None:
    transport, seen = mock(lambda request: httpx.Response(200, content=HTML, headers={"ETag": 'W/"1"'}))
    got = fetch(DEFAULT_URL, transport=transport, fetched_at=STAMP)
    assert got.body == HTML and got.final_url == DEFAULT_URL and got.etag == 'W/"1"'
    assert seen[0].headers["User-Agent"] == USER_AGENT


def test_too_many_redirects() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(302, headers={"Location": f"/hop{len(seen)}"})

    transport, seen = mock(handler)
    with pytest.raises(FetchError, match="redirected more than 5 times"):
        fetch(DEFAULT_URL, transport=transport)
    assert len(seen) == 6


# --- size cap -----------------------------------------------------------------------------------


def test_body_over_cap_by_content_length(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/big").respond_with_data(b"x" * 5000)
    with pytest.raises(BodyTooLarge, match="Content-Length 5000"):
        fetch(httpserver.url_for("/big"), policy=local(max_bytes=1000))


def test_body_over_cap_while_streaming_without_content_length(httpserver: HTTPServer) -> None:
    def handler(request: Request) -> Response:
        return Response((b"x" * 500 for _ in range(20)), content_type="text/html")  # no Content-Length

    httpserver.expect_request("/stream").respond_with_handler(handler)
    with pytest.raises(BodyTooLarge, match="body exceeds the 1000-byte cap"):
        fetch(httpserver.url_for("/stream"), policy=local(max_bytes=1000))
    _, response = httpserver.log[0]
    assert "Content-Length" not in response.headers


def test_streaming_cap_stops_reading_early() -> None:
    produced: list[int] = []

    class Endless(httpx.SyncByteStream):
        def __iter__(self) -> Iterator[bytes]:
            for n in range(1000):
                produced.append(n)
                yield b"x" * 1000

    transport, _ = mock(lambda request: httpx.Response(200, stream=Endless()))
    with pytest.raises(BodyTooLarge):
        fetch(DEFAULT_URL, transport=transport, policy=FetchPolicy(max_bytes=3500))
    assert len(produced) == 4


def test_body_exactly_at_cap_is_fine(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/page").respond_with_data(b"y" * 1000)
    assert fetch(httpserver.url_for("/page"), policy=local(max_bytes=1000)).bytes == 1000
