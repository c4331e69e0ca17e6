"""The GitHub REST API client for backfill, against recorded-shape responses on 127.0.0.1:
pagination through Link headers, files at a commit, a 403 rate limit with a reset time, and a disk
cache that makes a rerun send no request at all."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Response

from pipeline import backfill as bf
from pipeline.backfill._github_rest import GitHubAPI
from pipeline.errors import FetchError, HTTPStatusError
from pipeline.pages import DEFAULT, get

REPO = "MicrosoftDocs/azure-security-docs"
NEW, OLD = get(DEFAULT).paths
NOW = 1_700_000_000.0
# recorded shape of GET /repos/{repo}/commits items (fields the client reads, plus some it ignores)
HISTORY = [  # (sha, committer date, path of the file after the commit, text or None when deleted there)
    ("c1" * 20, "2022-03-08T11:10:17Z", OLD, "# one\n"),
    ("c2" * 20, "2023-02-26T10:55:02+00:00", NEW, "# two\n"),  # the rename
    ("c3" * 20, "2023-03-01T09:00:00Z", NEW, "# three\n"),
    ("c4" * 20, "2023-04-01T09:00:00Z", NEW, "# three\n"),  # the same text committed again
]


def _item(sha: str, date: str) -> dict:
    person = {"name": "docs", "email": "docs@example.com", "date": date}
    return {
        "sha": sha,
        "node_id": "C_kwDO",
        "commit": {"author": person, "committer": person, "message": f"Update {sha[:7]}\n\nbody", "tree": {}},
        "url": f"https://api.github.com/repos/{REPO}/commits/{sha}",
        "html_url": f"https://github.com/{REPO}/commit/{sha}",
        "parents": [],
    }


def _serve(server: HTTPServer, *, rate_limited: bool = False) -> None:
    commits = f"/repos/{REPO}/commits"
    page2 = server.url_for(f"/repositories/1234/commits?path={NEW}&per_page=100&page=2")
    link = f'<{page2}>; rel="next", <{page2}>; rel="last"'
    newest_first = [_item(sha, at) for sha, at, _, _ in reversed(HISTORY)]
    auth = {"Authorization": "Bearer t0ken", "Accept": "application/vnd.github+json"}
    server.expect_request(commits, query_string={"path": NEW, "per_page": "100"}, headers=auth).respond_with_json(
        newest_first[:2], headers={"Link": link, "X-RateLimit-Remaining": "4999"}
    )
    server.expect_request("/repositories/1234/commits", query_string={"path": NEW, "per_page": "100", "page": "2"})
    server.handlers[-1].respond_with_json(newest_first[2:3])  # the rename commit
    server.expect_request(commits, query_string={"path": OLD, "per_page": "100"}).respond_with_json(
        [_item(HISTORY[1][0], HISTORY[1][1]), _item(HISTORY[0][0], HISTORY[0][1])]
    )
    for sha, _, path, text in HISTORY:
        url = f"/repos/{REPO}/contents/{path}"
        if rate_limited and sha == HISTORY[2][0]:
            body = {"message": "API rate limit exceeded for user ID 1.", "documentation_url": "https://docs.github.com"}
            headers = {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(int(NOW) + 30)}
            server.expect_oneshot_request(url, query_string={"ref": sha}).respond_with_response(
                Response(json.dumps(body), status=403, headers=headers, content_type="application/json")
            )
        raw = {"Accept": "application/vnd.github.raw+json"}
        server.expect_request(url, query_string={"ref": sha}, headers=raw).respond_with_data(
            text, content_type="application/vnd.github.raw+json"
        )
    # the rename commit deleted the old name: the API has no file there
    server.expect_request(f"/repos/{REPO}/contents/{OLD}", query_string={"ref": HISTORY[1][0]}).respond_with_json(
        {"message": "Not Found", "status": "404"}, status=404
    )


def _api(server: HTTPServer, cache: Path, sleeps: list[float]) -> GitHubAPI:
    return GitHubAPI(
        REPO, cache, base_url=server.url_for("/"), token="t0ken", sleep=sleeps.append, clock=lambda: NOW, say=print
    )


def test_history_pages_waits_for_the_rate_limit_and_reruns_from_cache(httpserver: HTTPServer, tmp_path: Path) -> None:
    _serve(httpserver, rate_limited=True)
    sleeps: list[float] = []
    api = _api(httpserver, tmp_path / "cache", sleeps)
    versions = api.history(get(DEFAULT).paths)
    assert api.file_at(HISTORY[1][0], OLD) is None  # the rename removed the old name: 404
    api.close()
    # every commit once, oldest first; the rename commit read under its new name; nothing for the deletion
    assert [(v.commit, v.committed_at, v.path, v.text) for v in versions] == [
        (HISTORY[0][0], "2022-03-08T11:10:17Z", OLD, "# one\n"),
        (HISTORY[1][0], "2023-02-26T10:55:02Z", NEW, "# two\n"),
        (HISTORY[2][0], "2023-03-01T09:00:00Z", NEW, "# three\n"),
        (HISTORY[3][0], "2023-04-01T09:00:00Z", NEW, "# three\n"),
    ]
    assert {(v.repo, v.origin, v.subject) for v in versions[:1]} == {(REPO, f"github:{REPO}", "Update c1c1c1c")}
    assert sleeps == [31.0]  # until X-RateLimit-Reset, plus a second
    # 3 commit pages + 4 files + the refused attempt + the 404
    assert api.requests_made == len(httpserver.log) == 9
    httpserver.check_assertions()

    httpserver.clear()  # a rerun: no handler at all, so any request would fail
    again = _api(httpserver, tmp_path / "cache", sleeps)
    assert again.history(get(DEFAULT).paths) == versions
    assert again.file_at(HISTORY[1][0], OLD) is None
    assert again.requests_made == 0 and len(httpserver.log) == 0


def test_collect_stitches_api_history_like_a_clone(httpserver: HTTPServer, tmp_path, monkeypatch) -> None:
    _serve(httpserver)
    monkeypatch.setenv("GITHUB_API_URL", httpserver.url_for("/"))
    monkeypatch.setenv("GITHUB_TOKEN", "t0ken")
    opts = bf.BackfillOptions(github=(REPO,), cache_dir=tmp_path / "cache", since="2022-03-08")
    versions = bf.collect(opts)
    assert [v.commit for v in versions] == [HISTORY[0][0], HISTORY[1][0], HISTORY[2][0]]  # c4 repeats c3


def test_a_success_that_uses_up_the_budget_waits_before_the_next_request(httpserver, tmp_path) -> None:
    spent = {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(int(NOW) + 120)}
    httpserver.expect_request(f"/repos/{REPO}/commits").respond_with_json([], headers=spent)
    sleeps: list[float] = []
    api = _api(httpserver, tmp_path / "cache", sleeps)
    api.refresh = True
    assert api.commits(NEW) == []
    assert sleeps == []
    assert api.commits(OLD) == []
    assert sleeps == [121.0]


@pytest.mark.parametrize(
    ("status", "headers", "waits"),
    [(429, {"Retry-After": "7"}, [7.0, 7.0]), (403, {"Retry-After": "2"}, [2.0, 2.0])],
)
def test_secondary_limits_use_retry_after_and_give_up(httpserver, tmp_path, status, headers, waits) -> None:
    httpserver.expect_request(f"/repos/{REPO}/commits").respond_with_data("slow down", status=status, headers=headers)
    sleeps: list[float] = []
    api = _api(httpserver, tmp_path / "cache", sleeps)
    api.max_waits = 2
    with pytest.raises(HTTPStatusError, match="kept rate-limiting"):
        api.commits(NEW)
    assert sleeps == waits and api.requests_made == 3


def test_a_plain_403_is_an_error_not_a_wait_and_is_not_cached(httpserver, tmp_path) -> None:
    httpserver.expect_request(f"/repos/{REPO}/commits").respond_with_json(
        {"message": "Resource not accessible"}, status=403
    )
    sleeps: list[float] = []
    api = _api(httpserver, tmp_path / "cache", sleeps)
    with pytest.raises(HTTPStatusError, match="answered 403"):
        api.commits(NEW)
    assert sleeps == [] and not list((tmp_path / "cache").rglob("*.json"))


def test_next_links_never_leave_the_api_host(httpserver, tmp_path) -> None:
    evil = {"Link": '<https://elsewhere.example.com/commits?page=2>; rel="next"'}
    httpserver.expect_request(f"/repos/{REPO}/commits").respond_with_json([], headers=evil)
    with pytest.raises(FetchError, match="leaves"):
        _api(httpserver, tmp_path / "cache", []).commits(NEW)
