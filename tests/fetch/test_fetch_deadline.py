"""One total deadline per fetch, and validators that stay ASCII (pipeline/fetch/__init__.py, pipeline/fetch/_deadline.py)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from pipeline.errors import FetchError
from pipeline.fetch import FetchPolicy, Validators, ascii_validator, fetch
from tests.fetch_support import RawServer, serving
from tests.support import DEFAULT_URL

HTML = b"<html><body><h1>Containers support matrix</h1></body></html>"


def local(**overrides: object) -> FetchPolicy:
    """Loopback allowed, plain http, and per-read timeouts far longer than the deadline under test."""
    settings: dict[str, object] = {
        "allowed_hosts": ("127.0.0.1",),
        "require_https": False,
        "connect_timeout": 30.0,
        "read_timeout": 30.0,
        "retries": 0,
    }
    settings.update(overrides)
    return FetchPolicy(**settings)  # type: ignore[arg-type]


@pytest.fixture
def raw() -> Iterator[RawServer]:
    yield from serving(RawServer())


def _timed_failure(url: str, policy: FetchPolicy) -> tuple[float, str]:
    started = time.monotonic()
    with pytest.raises(FetchError) as info:
        fetch(url, policy=policy)
    return time.monotonic() - started, info.value.one_line()


def test_a_body_trickled_a_byte_a_second_stops_at_the_deadline(raw: RawServer) -> None:
    raw.trickle_body = True  # every read returns within a second: the 30 s read timeout never fires
    took, line = _timed_failure(raw.url, local(deadline=2.0))
    assert 1.9 < took < 3.5
    assert "no complete answer within the 2 s fetch deadline" in line and "\n" not in line


def test_headers_trickled_a_byte_a_second_stop_at_the_deadline(raw: RawServer) -> None:
    raw.trickle_head = True  # 16 KB of headers would take four and a half hours
    took, line = _timed_failure(raw.url, local(deadline=2.0))
    assert 1.9 < took < 3.5
    assert "fetch deadline" in line


def test_the_abandoned_worker_stops_reading(raw: RawServer) -> None:
    raw.trickle_body = True
    _timed_failure(raw.url, local(deadline=1.5))
    # the next byte arrives within a second, the worker checks the clock and gives up
    until = time.monotonic() + 5
    while [t for t in threading.enumerate() if t.name == "supportmatrix-fetch"] and time.monotonic() < until:
        time.sleep(0.05)
    assert not [t for t in threading.enumerate() if t.name == "supportmatrix-fetch"]


def test_the_deadline_covers_retries_and_their_waits() -> None:
    seen: list[httpx.Request] = []

    def busy(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(503)

    policy = FetchPolicy(retries=20, backoff_base=0.4, backoff_max=0.4, deadline=1.5)
    started = time.monotonic()
    with pytest.raises(FetchError) as info:
        fetch(DEFAULT_URL, policy=policy, transport=httpx.MockTransport(busy))  # real sleeps
    took = time.monotonic() - started
    assert 1.4 < took < 2.5
    assert 2 <= len(seen) < 21
    assert "1.5 s fetch deadline; last attempt: GET" in str(info.value) and "HTTP 503" in str(info.value)


def test_a_prompt_answer_is_unaffected_and_no_deadline_means_none(raw: RawServer) -> None:
    assert fetch(raw.url, policy=local(deadline=5.0)).body == raw.body
    assert fetch(raw.url, policy=local(deadline=None)).body == raw.body


def test_the_default_deadline_is_two_minutes() -> None:
    assert FetchPolicy().deadline == 120.0


# --- validators ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "kept"),
    [
        ('"v1"', '"v1"'),
        ('  W/"abc-123"  ', 'W/"abc-123"'),
        ("Wed, 27 Nov 2026 05:30:00 GMT", "Wed, 27 Nov 2026 05:30:00 GMT"),
        ('"café"', None),
        ('"a\tb"', None),
        ("", None),
        (None, None),
        ('"' + "x" * 2000 + '"', None),
    ],
)
def test_only_printable_ascii_validators_are_kept(value: str | None, kept: str | None) -> None:
    assert ascii_validator(value) == kept


def test_a_non_ascii_etag_from_the_server_is_not_kept(raw: RawServer) -> None:
    raw.head = (
        b'HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nETag: "caf\xc3\xa9"\r\n'
        b"Last-Modified: Wed, 27 Nov 2026 05:30:00 GMT\r\nConnection: close\r\n\r\n"
    )
    got = fetch(raw.url, policy=local())
    assert got.etag is None and got.last_modified == "Wed, 27 Nov 2026 05:30:00 GMT"


def test_a_stored_non_ascii_validator_is_not_sent_and_the_fetch_works(raw: RawServer) -> None:
    # before: UnicodeEncodeError from httpx on every run, until someone edited index.json
    stored = Validators(etag='"café"', last_modified="Wed, 27 Nov 2026 05:30:00 GMT")
    got = fetch(raw.url, validators=stored, policy=local())
    assert got.body == raw.body and not got.not_modified
    (request,) = raw.requests
    assert b"if-none-match" not in request.lower()
    assert b"if-modified-since: wed, 27 nov 2026 05:30:00 gmt" in request.lower()
