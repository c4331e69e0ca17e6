"""A file's history through the GitHub REST API, for a backfill without a local clone (I/O at the edge).

Two endpoints: ``GET /repos/{repo}/commits?path=...`` (paginated through the
``Link`` header) and ``GET /repos/{repo}/contents/{path}?ref={sha}`` with the
raw media type. The API does not follow renames, so each known file name is
listed on its own. Every 200/404 answer is cached on disk (key: URL and
Accept header), so a rerun makes no request at all; delete the cache folder,
or pass ``refresh=True``, to list new commits.

Rate limits: a 403/429 carrying ``X-RateLimit-Remaining: 0``, ``Retry-After``
or a 429 waits (``Retry-After``, else until ``X-RateLimit-Reset``) and retries;
a success that leaves ``Remaining`` at 0 waits before the next request. The
token comes from ``GITHUB_TOKEN`` (60 requests/hour without one, 5000 with),
the API root from ``GITHUB_API_URL`` (GitHub Enterprise Server) else api.github.com.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlsplit

import httpx

from ..errors import FetchError, HTTPStatusError, OfflineError
from ._revisions import Version, utc_iso

API_URL = "https://api.github.com"
RAW = "application/vnd.github.raw+json"
JSON = "application/vnd.github+json"
_LINK_NEXT = re.compile(r'<([^>]+)>\s*;\s*rel="next"')
_CACHED = frozenset({200, 404})


@dataclass(frozen=True)
class _Answer:
    status: int
    headers: dict[str, str]
    body: bytes


@dataclass
class GitHubAPI:
    repo: str  # OWNER/REPO
    cache_dir: Path
    # GITHUB_API_URL: GitHub Enterprise Server, or a recorded API on 127.0.0.1 in the tests
    base_url: str = field(default_factory=lambda: os.environ.get("GITHUB_API_URL") or API_URL)
    token: str | None = field(default_factory=lambda: os.environ.get("GITHUB_TOKEN") or None)
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.time
    say: Callable[[str], None] = field(default=lambda line: print(line, file=sys.stderr))
    refresh: bool = False  # re-list commits (file contents at a commit never change)
    max_waits: int = 5
    timeout: float = 30.0
    requests_made: int = field(default=0, init=False)
    _client: httpx.Client | None = field(default=None, init=False, repr=False)
    _resume_at: float = field(default=0.0, init=False, repr=False)

    # -- public ----------------------------------------------------------
    def commits(self, path: str) -> list[dict]:
        """Every commit touching ``path`` (newest first, as the API lists them)."""
        url: str | None = f"{self._repo_url()}/commits?{_query({'path': path, 'per_page': '100'})}"
        found: list[dict] = []
        while url:
            answer = self._get(url, JSON, cache=not self.refresh)
            if answer.status != 200:
                raise HTTPStatusError(f"GitHub listed no commits for {path} in {self.repo}", status=answer.status)
            found.extend(json.loads(answer.body))
            url = self._next_link(answer.headers.get("link"))
        return found

    def file_at(self, commit: str, path: str) -> bytes | None:
        """The file's bytes at ``commit``; None when it does not exist there (the commit deleted it)."""
        url = f"{self._repo_url()}/contents/{quote(path)}?{_query({'ref': commit})}"
        answer = self._get(url, RAW, cache=True)
        if answer.status == 404:
            return None
        if answer.status != 200:
            raise HTTPStatusError(f"GitHub refused {path} at {commit[:12]}", status=answer.status)
        return answer.body

    def history(self, paths: Sequence[str]) -> list[Version]:
        """Every version of the file under any of ``paths``, oldest first (like ``_git.file_history``)."""
        found: dict[str, tuple[str, str, str]] = {}
        for path in paths:
            for item in reversed(self.commits(path)):
                commit = item["commit"]
                stamp = utc_iso((commit.get("committer") or commit.get("author") or {})["date"])
                subject = str(commit.get("message", "")).split("\n", 1)[0]
                found.setdefault(item["sha"], (stamp, path, subject))
        versions = []
        for sha, (stamp, path, subject) in sorted(found.items(), key=lambda item: item[1][0]):
            body = self.file_at(sha, path)
            if body is not None:
                text = body.decode("utf-8", "replace")
                versions.append(Version(sha, stamp, path, self.repo, f"github:{self.repo}", text, subject))
        return versions

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    # -- HTTP with cache and rate limits ---------------------------------------
    def _repo_url(self) -> str:
        return f"{self.base_url.rstrip('/')}/repos/{self.repo}"

    def _next_link(self, header: str | None) -> str | None:
        match = _LINK_NEXT.search(header or "")
        if match is None:
            return None
        nxt = match.group(1)
        # never send the token to another host than the API's
        if urlsplit(nxt).netloc != urlsplit(self.base_url).netloc:
            raise FetchError(f"GitHub's next-page link leaves {urlsplit(self.base_url).netloc}: {nxt}")
        return nxt

    def _cache_path(self, url: str, accept: str) -> Path:
        key = hashlib.sha256(f"{accept}\n{url}".encode()).hexdigest()
        return self.cache_dir / self.repo.replace("/", "__") / key[:2] / f"{key}.json"

    def _get(self, url: str, accept: str, *, cache: bool) -> _Answer:
        path = self._cache_path(url, accept)
        if cache and path.exists():
            data = json.loads(path.read_text(encoding="utf-8"))
            return _Answer(data["status"], data["headers"], base64.b64decode(data["body"]))
        answer = self._request(url, accept)
        if answer.status in _CACHED:
            from .._io import atomic_write_bytes, json_bytes

            record = {
                "url": url,
                "status": answer.status,
                "headers": answer.headers,
                "body": base64.b64encode(answer.body).decode(),
            }
            path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write_bytes(path, json_bytes(record))
        return answer

    def _request(self, url: str, accept: str) -> _Answer:
        headers = {"Accept": accept, "X-GitHub-Api-Version": "2022-11-28", "User-Agent": _user_agent()}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if self._client is None:
            self._client = httpx.Client(timeout=self.timeout, follow_redirects=True)
        for attempt in range(self.max_waits + 1):
            self._wait_for_budget()
            try:
                resp = self._client.get(url, headers=headers)
            except httpx.TransportError as exc:
                raise OfflineError(f"cannot reach {urlsplit(url).netloc}: {exc}") from exc
            self.requests_made += 1
            kept = {k.lower(): v for k, v in resp.headers.items() if k.lower() in ("link", "etag", "last-modified")}
            if _limited(resp):
                if attempt == self.max_waits:
                    break
                wait = self._wait_seconds(resp)
                self.say(f"GitHub rate limit reached; waiting {wait:.0f} s before retrying")
                self.sleep(wait)
                continue
            if resp.headers.get("x-ratelimit-remaining") == "0" and resp.headers.get("x-ratelimit-reset"):
                self._resume_at = float(resp.headers["x-ratelimit-reset"]) + 1
            if resp.status_code not in _CACHED:
                raise HTTPStatusError(f"GitHub answered {resp.status_code} for {url}", status=resp.status_code)
            return _Answer(resp.status_code, kept, resp.content)
        raise HTTPStatusError(f"GitHub kept rate-limiting {url} after {self.max_waits} waits", status=403)

    def _wait_for_budget(self) -> None:
        wait = self._resume_at - self.clock()
        if wait > 0:
            self.say(f"GitHub rate limit used up; waiting {wait:.0f} s for the reset")
            self.sleep(wait)
        self._resume_at = 0.0

    def _wait_seconds(self, resp: httpx.Response) -> float:
        retry_after = resp.headers.get("retry-after")
        if retry_after and retry_after.strip().isdigit():
            return float(retry_after)
        reset = resp.headers.get("x-ratelimit-reset")
        if reset and reset.strip().isdigit():
            return max(1.0, float(reset) - self.clock() + 1)
        return 60.0  # GitHub's advice for a secondary limit without headers


def _limited(resp: httpx.Response) -> bool:
    if resp.status_code == 429:
        return True
    return resp.status_code == 403 and (
        resp.headers.get("x-ratelimit-remaining") == "0" or "retry-after" in resp.headers
    )


def _query(params: dict[str, str]) -> str:
    return "&".join(f"{k}={quote(v, safe='')}" for k, v in params.items())


def _user_agent() -> str:
    from ..fetch import user_agent

    return user_agent()
