"""Get the page bytes: from a URL (the only network access for pages) or from a local file.

Network policy lives here so every caller gets it: an allow-list checked on every redirect hop, an
https-only rule, a size cap enforced while streaming, conditional GET, bounded retries and one total
deadline per fetch. A machine with no network at all fails fast with :class:`OfflineError` so ``run``
can fall back to a snapshot.

The deadline covers everything a fetch does (name lookup, connect, every read, every retry and its
wait): per-read timeouts alone let a server that trickles one byte a second hold a run for hours.
So the attempts run in a worker thread that the caller waits for at most ``FetchPolicy.deadline``
seconds; each request's timeouts are also cut to the time left, and the body loop checks the clock
after every chunk, so an abandoned worker stops soon after.

Validators (``ETag``, ``Last-Modified``) are kept only when they are printable ASCII, as received and
as sent: httpx sends header values as ASCII, so one stored non-ASCII byte would make every later
conditional GET fail before it is sent.
"""

from __future__ import annotations

import builtins
import errno
import hashlib
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from .._clock import utc_now
from ..errors import BodyTooLarge, FetchError, HostNotAllowed, HTTPStatusError, OfflineError, UsageError
from ._deadline import Deadline

if TYPE_CHECKING:  # tenacity, like httpx, is imported only when a URL is fetched
    import tenacity

if TYPE_CHECKING:
    import httpx

MAX_REDIRECTS = 5
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_DNS_HINTS = ("name or service not known", "temporary failure in name resolution", "nodename nor servname")
# a validator longer than this is not worth sending back (servers cap request headers at 4-8 KB)
MAX_VALIDATOR = 1024


def user_agent() -> str:
    """The User-Agent naming the project and its version (read from the installed package on first use:
    importlib.metadata is a cost an unchanged file-source run should not pay)."""
    global _USER_AGENT
    if _USER_AGENT is None:
        from importlib.metadata import PackageNotFoundError, version

        try:
            release = version("supportmatrix")
        except PackageNotFoundError:  # running from a checkout without an install
            release = "0.1.0"
        _USER_AGENT = f"supportmatrix/{release} (+https://github.com/supportmatrix/supportmatrix)"
    return _USER_AGENT


_USER_AGENT: str | None = None


def __getattr__(name: str) -> Any:
    if name == "USER_AGENT":  # the constant this module had; computed when first asked for
        return user_agent()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


_ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1"


@dataclass(frozen=True)
class Validators:
    """Cache validators from the last snapshot, sent back for a conditional GET."""

    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True)
class Fetched:
    source: str
    body: builtins.bytes  # qualified: the ``bytes`` property below shadows the builtin in this scope
    final_url: str | None
    fetched_at: str
    http_status: int | None
    etag: str | None
    last_modified: str | None
    provenance: str
    not_modified: bool = False

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.body).hexdigest()

    @property
    def bytes(self) -> int:
        return len(self.body)

    @classmethod
    def from_meta(cls, meta: Mapping[str, Any], body: builtins.bytes) -> Fetched:
        """A stored page as if fetched again, with its recorded provenance (a snapshot's meta.json)."""
        return cls(
            source=str(meta.get("source")),
            body=body,
            final_url=meta.get("final_url"),
            fetched_at=str(meta.get("fetched_at")),
            http_status=meta.get("http_status"),
            etag=meta.get("etag"),
            last_modified=meta.get("last_modified"),
            provenance=str(meta.get("provenance", "fetched")),
        )


@dataclass(frozen=True)
class FetchPolicy:
    # hosts the URL and every redirect may reach; None: only the host of the URL asked for (a run passes
    # its page's allowed_hosts from pipeline/pages)
    allowed_hosts: tuple[str, ...] | None = None
    max_bytes: int = 5_000_000
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    retries: int = 3
    backoff_base: float = 0.5
    backoff_max: float = 30.0
    require_https: bool = True
    # the whole fetch (lookup, connect, every read, retries and their waits), in seconds; None: no limit.
    # Two minutes: the default backoff waits come to at most 5 s in all (0.5 + 1 + 2 s, plus jitter),
    # leaving the page itself nearly two minutes, and a run still ends far inside the refresh job's
    # 20-minute timeout.
    deadline: float | None = 120.0


class _Transient(Exception):
    """One failed attempt worth retrying; turned into a public error once the retries run out."""

    def __init__(self, reason: str, detail: str = "", status: int | None = None, retry_after: float | None = None):
        super().__init__(reason)
        self.reason, self.detail, self.status, self.retry_after = reason, detail, status, retry_after


def is_url(source: str) -> bool:
    return urlsplit(source.strip()).scheme.lower() in ("http", "https")


def _one_line(text: object) -> str:
    return " ".join(str(text).split())


def ascii_validator(value: str | None) -> str | None:
    """``value`` when it can be stored and sent back as a header (printable ASCII, not empty, at most
    MAX_VALIDATOR characters), else None: without it the next fetch is a plain GET, never a failure."""
    if value is None:
        return None
    value = value.strip()
    if not value or len(value) > MAX_VALIDATOR or not all(" " <= c <= "~" for c in value):
        return None
    return value


def fetch(
    source: str,
    *,
    validators: Validators | None = None,
    policy: FetchPolicy = FetchPolicy(),
    fetched_at: str | None = None,
    transport: httpx.BaseTransport | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> Fetched:
    """Fetch ``source`` (URL, path or ``file://`` URL) under ``policy``; raise a :class:`FetchError` on failure."""
    stamp = fetched_at or utc_now()
    if not is_url(source):
        return _read_file(source, policy, stamp)
    import httpx  # here, not at the top: a file source (and an unchanged run) never loads it

    if policy.allowed_hosts is None:
        policy = replace(policy, allowed_hosts=((httpx.URL(source).host or "").lower(),))
    # a stored validator that cannot be sent is dropped: a full GET, not a run that fails forever
    sent = Validators(
        ascii_validator(validators.etag) if validators else None,
        ascii_validator(validators.last_modified) if validators else None,
    )
    import tenacity

    headers = {"User-Agent": user_agent(), "Accept": _ACCEPT}
    if sent.etag:
        headers["If-None-Match"] = sent.etag
    if sent.last_modified:
        headers["If-Modified-Since"] = sent.last_modified
    clock = Deadline(policy.deadline, f"GET {_one_line(source)}")
    attempts = policy.retries + 1

    def note(state: tenacity.RetryCallState) -> None:
        failed = state.outcome.exception() if state.outcome else None
        if isinstance(failed, _Transient):
            clock.last = f"{failed.reason}{failed.detail}"

    retrying = tenacity.Retrying(
        stop=tenacity.stop_after_attempt(attempts),
        wait=_wait(policy),
        retry=tenacity.retry_if_exception_type(_Transient),
        before_sleep=note,
        sleep=sleep,
        reraise=True,
    )

    def work() -> Fetched:
        with httpx.Client(follow_redirects=False, transport=transport, headers=headers) as client:
            try:
                return retrying(_attempt, client, source, policy, stamp, sent, clock)
            except _Transient as exc:
                # reraise=True means we only get here once every attempt failed.
                message = f"{exc.reason} after {attempts} attempt{'s' if attempts != 1 else ''}{exc.detail}"
                if exc.status is not None:
                    raise HTTPStatusError(message, status=exc.status) from None
                raise FetchError(message) from None

    return clock.run(work)


def _wait(policy: FetchPolicy) -> Callable[[tenacity.RetryCallState], float]:
    import tenacity

    backoff = tenacity.wait_exponential(multiplier=policy.backoff_base, max=policy.backoff_max)
    jitter = tenacity.wait_random(0, policy.backoff_base)

    def wait(state: tenacity.RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, _Transient) and exc.retry_after is not None:
            return min(exc.retry_after, policy.backoff_max)
        return min(backoff(state) + jitter(state), policy.backoff_max)

    return wait


def _check_url(url: httpx.URL, policy: FetchPolicy, hop: int) -> None:
    what = "redirect to" if hop else "URL"
    if url.scheme not in ("http", "https") or (policy.require_https and url.scheme != "https"):
        raise HostNotAllowed(f"{what} {url} refused: only https URLs are allowed")
    hosts = policy.allowed_hosts or ()
    if url.host.lower() not in hosts:
        allowed = ", ".join(hosts)
        raise HostNotAllowed(f"{what} host {url.host!r} is not allowed (allowed hosts: {allowed})")


def _attempt(
    client: httpx.Client, source: str, policy: FetchPolicy, stamp: str, validators: Validators, clock: Deadline
) -> Fetched:
    import httpx

    try:
        url = httpx.URL(source.strip())
    except httpx.InvalidURL as exc:
        raise FetchError(f"invalid URL {source!r}: {_one_line(exc)}") from None
    try:
        for hop in range(MAX_REDIRECTS + 1):
            clock.check()
            _check_url(url, policy, hop)
            with client.stream("GET", url, timeout=clock.timeout(policy.read_timeout, policy.connect_timeout)) as resp:
                status = resp.status_code
                if status in _REDIRECTS:
                    location = resp.headers.get("Location")
                    if not location:
                        raise HTTPStatusError(f"GET {url} returned HTTP {status} without a Location", status=status)
                    url = url.join(location.strip())
                    continue
                etag = ascii_validator(resp.headers.get("ETag"))
                modified = ascii_validator(resp.headers.get("Last-Modified"))
                if status == 304:
                    etag, modified = etag or validators.etag, modified or validators.last_modified
                    return Fetched(source, b"", str(url), stamp, status, etag, modified, "fetched", not_modified=True)
                if status == 429 or 500 <= status <= 599:
                    wait = _retry_after(resp.headers.get("Retry-After"))
                    raise _Transient(f"GET {url} returned HTTP {status}", status=status, retry_after=wait)
                if not 200 <= status <= 299:
                    raise HTTPStatusError(f"GET {url} returned HTTP {status}", status=status)
                body = _read_capped(resp, url, policy.max_bytes, clock)
                return Fetched(source, body, str(url), stamp, status, etag, modified, "fetched")
        raise FetchError(f"GET {source} redirected more than {MAX_REDIRECTS} times")
    except httpx.TimeoutException:
        raise _Transient(f"GET {url} timed out") from None
    except httpx.ConnectError as exc:
        if _is_offline(exc):
            raise OfflineError(f"network unavailable: cannot reach {url.host!r} ({_one_line(exc)})") from None
        raise _Transient(f"could not connect to {url.host!r}", detail=f" ({_one_line(exc)})") from None
    except (httpx.NetworkError, httpx.RemoteProtocolError) as exc:
        # The connection dropped mid-response: as transient as a refused connection.
        raise _Transient(f"connection to {url.host!r} failed", detail=f" ({_one_line(exc)})") from None
    except httpx.HTTPError as exc:
        # anything else httpx can raise (a broken gzip body, a proxy refusing): one line, no retry
        raise FetchError(f"GET {url} failed: {type(exc).__name__}: {_one_line(exc)}") from None


def _read_capped(resp: httpx.Response, url: httpx.URL, max_bytes: int, clock: Deadline) -> builtins.bytes:
    declared = resp.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise BodyTooLarge(f"GET {url}: Content-Length {declared} exceeds the {max_bytes}-byte cap")
    chunks: list[builtins.bytes] = []
    total = 0
    # iter_bytes yields decoded bytes, so the cap also bounds a small gzip that inflates hugely.
    for chunk in resp.iter_bytes():
        clock.check()  # a body trickled a byte at a time never trips the per-read timeout
        total += len(chunk)
        if total > max_bytes:
            raise BodyTooLarge(f"GET {url}: body exceeds the {max_bytes}-byte cap")
        chunks.append(chunk)
    return b"".join(chunks)


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    if value.strip().replace(".", "", 1).isdigit():
        return float(value)
    from email.utils import parsedate_to_datetime

    try:
        when = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _is_offline(exc: BaseException) -> bool:
    """True when the failure means "no network here" (DNS or no route), which no retry will fix."""
    import socket

    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, socket.gaierror):
            return True
        if isinstance(seen, OSError) and seen.errno == errno.ENETUNREACH:
            return True
        if any(hint in str(seen).lower() for hint in _DNS_HINTS):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _read_file(source: str, policy: FetchPolicy, stamp: str) -> Fetched:
    from urllib.request import url2pathname

    parts = urlsplit(source)
    # url2pathname also percent-decodes, so no unquote() here.
    path = Path(url2pathname(parts.path)) if parts.scheme.lower() == "file" else Path(source).expanduser()
    try:
        with path.open("rb") as handle:
            # Read one byte past the cap so an oversized file is detected without loading all of it.
            body = handle.read(policy.max_bytes + 1)
    except FileNotFoundError:
        raise FetchError(f"no such file: {path}") from None
    except IsADirectoryError:
        raise UsageError(f"{path} is a folder, not a page: give an HTML file or a URL") from None
    except OSError as exc:
        raise FetchError(f"cannot read {path}: {exc.strerror or _one_line(exc)}") from None
    if len(body) > policy.max_bytes:
        raise BodyTooLarge(f"{path}: file exceeds the {policy.max_bytes}-byte cap")
    return Fetched(source, body, None, stamp, None, None, None, "file")
