"""Alerts through the whole job (``pipeline.run.run``): health on failure, recovery, and change alerts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from pipeline import alerts
from pipeline import fetch as fetching
from pipeline.alerts._state import STATE_FILE
from pipeline.diff.summary import md_escape
from pipeline.diff.transient import WINDOW_VARIABLE as TRANSIENT_HOURS
from pipeline.errors import HTTPStatusError, ValidationFailed
from pipeline.run import RunOptions, run
from pipeline.store.snapshots import SnapshotStore
from tests.alerts_support import Hook
from tests.support import SAMPLE, promoted, revised


def _run(tmp_path: Path, source: str | Path, fetched_at: str = "2026-05-02T06:00:00Z") -> str:
    policy = fetching.FetchPolicy(
        allowed_hosts=("127.0.0.1", "localhost"), require_https=False, retries=1, backoff_base=0.01, backoff_max=0.02
    )
    opts = RunOptions(
        source=str(source),
        snapshots=tmp_path / "snapshots",
        output=tmp_path / "output",
        fetched_at=fetched_at,
        policy=policy,
    )
    return run(opts).status


def test_a_fetch_failure_is_announced_once_then_recovered_once(
    tmp_path: Path, httpserver: HTTPServer, hook: Hook
) -> None:
    _run(tmp_path, SAMPLE)
    assert hook.posts == []  # the baseline run: no change alert, nothing to recover from
    httpserver.expect_request("/page").respond_with_data("busy", status=503)
    url = httpserver.url_for("/page")
    for _ in range(2):
        with pytest.raises(HTTPStatusError):  # the error still reaches the CLI
            _run(tmp_path, url)
    assert [p["title"] for p in hook.posts] == ["Defender for Containers support matrix: pipeline health: fetch failed"]
    assert "503" in hook.posts[0]["message"]
    assert _run(tmp_path, SAMPLE, "2026-05-03T06:00:00Z") == "unchanged"
    assert [p["type"] for p in hook.posts] == ["failure", "success"]
    assert hook.posts[1]["title"].endswith("pipeline health: recovered")
    _run(tmp_path, SAMPLE, "2026-05-04T06:00:00Z")
    assert len(hook.posts) == 2


def test_a_failing_run_without_targets_sends_nothing_and_writes_no_state(
    tmp_path: Path, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(alerts.ALERT_URLS, raising=False)
    monkeypatch.delenv(alerts.ALERT_CONFIG, raising=False)
    httpserver.expect_request("/page").respond_with_data("busy", status=503)
    with pytest.raises(HTTPStatusError):
        _run(tmp_path, httpserver.url_for("/page"))
    assert not (tmp_path / "snapshots" / "alerts-state.json").exists()


def test_a_changed_page_posts_one_alert_once_and_a_failed_audit_posts_health_only(tmp_path: Path, hook: Hook) -> None:
    _run(tmp_path, SAMPLE)
    assert hook.posts == []  # the baseline: no change alert

    assert _run(tmp_path, promoted(tmp_path), "2026-05-03T06:00:00Z") == "published"
    store = SnapshotStore(tmp_path / "snapshots")
    changes = store.changes()
    assert len(changes) >= 1 and (changes["kind"] == "promoted").any()
    assert len(hook.posts) == 1
    post = hook.posts[0]
    assert post["title"].startswith("Defender for Containers support matrix: ")
    assert "promoted" in post["title"]
    for sentence in changes["summary"]:
        assert md_escape(sentence) in post["message"]
    assert "Page ms.date: 2025-04-15 (was 2025-03-30)" in post["message"]
    assert "support-matrix-defender-for-containers" in post["message"]  # the Learn page's canonical URL

    assert _run(tmp_path, promoted(tmp_path), "2026-05-04T06:00:00Z") == "unchanged"
    assert len(hook.posts) == 1  # the same revision again: nothing

    broken = revised(tmp_path, "broken.html", ("<td>GA</td>", "<td>Banana</td>"), ("2025-03-30", "2025-04-20"))
    with pytest.raises(ValidationFailed):
        _run(tmp_path, broken, "2026-05-05T06:00:00Z")
    assert [p["type"] for p in hook.posts[1:]] == ["failure"]  # health, no change alert
    assert hook.posts[1]["title"].endswith("pipeline health: validate failed")
    assert "quarantined" in hook.posts[1]["message"]
    with pytest.raises(ValidationFailed):
        _run(tmp_path, broken, "2026-05-06T06:00:00Z")
    assert len(hook.posts) == 2  # the same failure again: nothing
    _run(tmp_path, promoted(tmp_path), "2026-05-07T06:00:00Z")
    assert hook.posts[2]["title"].endswith("pipeline health: recovered")
    assert len(hook.posts) == 3


def test_a_failed_delivery_is_retried_by_the_next_run_even_when_the_page_is_unchanged(
    tmp_path: Path, hook: Hook
) -> None:
    _run(tmp_path, SAMPLE)
    hook.status = 500
    _run(tmp_path, promoted(tmp_path), "2026-05-03T06:00:00Z")
    assert len(hook.posts) == 1
    state = (tmp_path / "snapshots" / "alerts-state.json").read_text(encoding="utf-8")
    assert '"pending": {}' not in state
    hook.status = 200
    assert _run(tmp_path, promoted(tmp_path), "2026-05-04T06:00:00Z") == "unchanged"
    assert len(hook.posts) == 2 and hook.posts[0] == hook.posts[1]  # the same message, delivered now
    _run(tmp_path, promoted(tmp_path), "2026-05-05T06:00:00Z")
    assert len(hook.posts) == 2


def test_a_secret_in_the_target_url_stays_out_of_every_file_and_log_of_a_run(
    tmp_path: Path,
    httpserver: HTTPServer,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import logging

    caplog.set_level(logging.DEBUG)
    password, token = "pw-s3cr3t-991", "tok3n-7f3a9c2e"
    hook = Hook(httpserver, f"/hook/{token}")
    monkeypatch.setenv(alerts.ALERT_URLS, hook.url(userinfo=f"bot:{password}"))
    monkeypatch.delenv(alerts.HEALTH_URLS, raising=False)
    _run(tmp_path, SAMPLE)
    hook.status = 500
    _run(tmp_path, promoted(tmp_path), "2026-05-03T06:00:00Z")
    broken = revised(tmp_path, "broken.html", ("<td>GA</td>", "<td>Banana</td>"))
    with pytest.raises(ValidationFailed):
        _run(tmp_path, broken, "2026-05-04T06:00:00Z")
    assert len(hook.posts) == 2 and hook.headers[0]["Authorization"].startswith("Basic ")
    out = capsys.readouterr()
    logs = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("werkzeug"))
    files = [p for root in ("snapshots", "output") for p in (tmp_path / root).rglob("*") if p.is_file()]
    assert any(p.name == "alerts-state.json" for p in files) and any(p.name == "meta.json" for p in files)
    for where, data in [("stdout", out.out), ("stderr", out.err), ("logs", logs)] + [
        (str(p), p.read_bytes().decode("utf-8", "replace"))
        for p in files
        if p.suffix in (".json", ".md", ".html", ".atom")
    ]:
        assert password not in data and token not in data, where


def test_a_publish_that_fails_does_not_lose_the_change_alert(
    tmp_path: Path, hook: Hook, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipeline import publish as publish_module  # run imports publish from it when it publishes
    from pipeline.errors import PublishError

    _run(tmp_path, SAMPLE)
    real_publish = publish_module.publish

    def broken(*args: object, **kwargs: object) -> Path:
        raise PublishError("disk full")

    monkeypatch.setattr(publish_module, "publish", broken)
    with pytest.raises(PublishError):
        _run(tmp_path, promoted(tmp_path), "2026-05-03T06:00:00Z")
    assert [p["title"] for p in hook.posts] == [
        "Defender for Containers support matrix: pipeline health: publish failed"
    ]
    monkeypatch.setattr(publish_module, "publish", real_publish)
    # the snapshot was stored, so the page is no longer new: the held changes must still go out
    _run(tmp_path, promoted(tmp_path), "2026-05-04T06:00:00Z")
    titles = [p["title"] for p in hook.posts[1:]]
    assert any("promoted" in t for t in titles), titles
    assert sum("promoted" in t for t in titles) == 1


def test_a_page_that_flaps_back_to_an_earlier_version_is_announced_each_time(
    tmp_path: Path, hook: Hook, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(TRANSIENT_HOURS, "12")  # runs a day apart: outside the transient window
    _run(tmp_path, SAMPLE)  # A: Preview (baseline)
    page_b = promoted(tmp_path)  # B: GA
    _run(tmp_path, page_b, "2026-05-03T06:00:00Z")
    _run(tmp_path, SAMPLE, "2026-05-04T06:00:00Z")  # back to A, the very same page
    _run(tmp_path, page_b, "2026-05-05T06:00:00Z")  # and to B again
    kinds = [p["title"] for p in hook.posts]
    assert len(kinds) == 3, kinds
    assert "promoted" in kinds[0] and "demoted" in kinds[1] and "promoted" in kinds[2]
    history = SnapshotStore(tmp_path / "snapshots").changes()
    promotions = history[history["kind"] == "promoted"]
    assert len(promotions) == 2 and promotions["change_id"].nunique() == 1
    from lxml import etree

    feed = etree.fromstring((tmp_path / "output" / "changes.atom").read_bytes())
    ids = [e.findtext("{http://www.w3.org/2005/Atom}id") for e in feed.iter("{http://www.w3.org/2005/Atom}entry")]
    assert len(ids) == 3 and len(set(ids)) == 3


def test_health_urls_alone_are_enough_for_health_alerts(
    tmp_path: Path, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    health = Hook(httpserver, "/health")
    monkeypatch.delenv(alerts.ALERT_URLS, raising=False)
    monkeypatch.delenv(alerts.ALERT_CONFIG, raising=False)
    monkeypatch.setenv(alerts.HEALTH_URLS, health.url())
    _run(tmp_path, SAMPLE)
    httpserver.expect_request("/page").respond_with_data("busy", status=503)
    with pytest.raises(HTTPStatusError):
        _run(tmp_path, httpserver.url_for("/page"))
    assert [p["title"] for p in health.posts] == [
        "Defender for Containers support matrix: pipeline health: fetch failed"
    ]


def test_a_change_reverted_within_the_window_is_announced_once_as_transient(tmp_path: Path, hook: Hook) -> None:
    _run(tmp_path, SAMPLE)  # A: Preview (baseline)
    _run(tmp_path, promoted(tmp_path), "2026-05-03T06:00:00Z")  # B: GA
    _run(tmp_path, SAMPLE, "2026-05-03T18:00:00Z")  # back to A 12 h later
    titles = [p["title"] for p in hook.posts]
    assert len(titles) == 2 and "promoted" in titles[0]
    assert "transient" in titles[1] and "demoted" not in titles[1], titles  # no second "real" alert
    assert "reverted 12 h later" in hook.posts[1]["message"]
    history = SnapshotStore(tmp_path / "snapshots").changes()
    assert list(history["kind"]) == ["promoted", "demoted", "transient"]  # every flip stays in the history
    from lxml import etree

    feed = etree.fromstring((tmp_path / "output" / "changes.atom").read_bytes())
    entries = list(feed.iter("{http://www.w3.org/2005/Atom}entry"))
    assert len(entries) == 1  # the promotion and its revert collapse into one transient entry
    changelog = (tmp_path / "output" / "changes.md").read_text(encoding="utf-8")
    assert "reverted 12 h later" in changelog and "demoted" not in changelog


def test_a_change_still_pending_when_it_is_reverted_within_the_window_is_told_as_transient_only(
    tmp_path: Path, hook: Hook
) -> None:
    """The promotion's alert failed; by the next run the page was back: the pending promotion is read back
    from the history and must not be sent as live next to its own "reverted" line (helper-15 F5)."""
    _run(tmp_path, SAMPLE)
    hook.status = 500
    _run(tmp_path, promoted(tmp_path), "2026-05-03T06:00:00Z")
    assert len(hook.posts) == 1  # tried, failed: pending
    hook.status = 200
    _run(tmp_path, SAMPLE, "2026-05-03T18:00:00Z")
    assert len(hook.posts) == 2
    sent = hook.posts[1]
    assert sent["title"].endswith("no changes, 1 event (1 transient)"), sent["title"]
    assert "reverted 12 h later" in sent["message"] and "Preview → GA." not in sent["message"]
    state = json.loads((tmp_path / "snapshots" / STATE_FILE).read_text(encoding="utf-8"))
    assert state["pending"] == {}  # the promotion was told by its transient line
    _run(tmp_path, SAMPLE, "2026-05-04T06:00:00Z")
    assert len(hook.posts) == 2
