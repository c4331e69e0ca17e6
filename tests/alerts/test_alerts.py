"""Change and health alerts delivered to a real webhook on 127.0.0.1 (apprise's json:// target)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from pipeline import alerts
from pipeline.alerts._state import STATE_FILE
from pipeline.errors import AlertError, HTTPStatusError, ValidationFailed
from tests.alerts_support import NEW, Hook, append_history, change, frame, three_changes

LINKS = alerts.Links("https://learn.example/page", "https://site.example/changes.md")
NOW = "2026-05-02T06:05:00Z"


@pytest.fixture
def hook(httpserver: HTTPServer) -> Hook:
    return Hook(httpserver)


def _notify(changes, snapshots: Path, env: dict[str, str]) -> alerts.Outcome:  # type: ignore[no-untyped-def]
    append_history(snapshots, changes)  # the run appends the history before it alerts
    return alerts.notify(changes, snapshots=snapshots, links=LINKS, env=env, now=NOW)


def _state(snapshots: Path) -> dict:  # type: ignore[type-arg]
    return json.loads((snapshots / STATE_FILE).read_text(encoding="utf-8"))


def test_one_change_run_posts_one_message_with_every_sentence(tmp_path: Path, hook: Hook) -> None:
    changes = three_changes()
    outcome = _notify(changes, tmp_path, {alerts.ALERT_URLS: hook.url()})
    assert len(hook.posts) == 1
    post = hook.posts[0]
    assert post["title"] == "Defender for Containers support matrix: 3 changes (2 promoted, 1 removed)"
    for sentence in ("Malware detection on AKS", "Runtime protection on EKS", "Agentless discovery on GKE"):
        assert sentence in post["message"]
    assert "Page ms.date: 2026-05-01 (was 2026-04-01)" in post["message"]
    assert "(https://learn.example/page)" in post["message"]
    assert "(https://site.example/changes.md)" in post["message"]
    assert post["type"] == "warning"  # a removal is high severity
    assert outcome.sent == 3 and outcome.pending == 0
    state = _state(tmp_path)
    assert sorted(state["delivered"]) == sorted(changes["change_id"])
    # delivered per occurrence: the revision and when it was detected
    assert all(v == {"at": NOW, "revisions": [f"{NEW}@2026-05-02T06:00:00Z"]} for v in state["delivered"].values())
    assert state["pending"] == {}


def test_the_same_revision_again_posts_nothing(tmp_path: Path, hook: Hook) -> None:
    env = {alerts.ALERT_URLS: hook.url()}
    _notify(three_changes(), tmp_path, env)
    before = (tmp_path / STATE_FILE).read_bytes()
    outcome = alerts.notify(three_changes(), snapshots=tmp_path, links=LINKS, env=env, now="2026-05-03T06:05:00Z")
    assert len(hook.posts) == 1
    assert outcome.sent == 0
    assert (tmp_path / STATE_FILE).read_bytes() == before  # a quiet run leaves the committed state alone


def test_a_run_without_changes_posts_nothing_and_writes_nothing(tmp_path: Path, hook: Hook) -> None:
    outcome = alerts.notify(frame([]), snapshots=tmp_path, links=LINKS, env={alerts.ALERT_URLS: hook.url()})
    assert hook.posts == []
    assert outcome.line == ""
    assert not (tmp_path / STATE_FILE).exists()


def test_alerts_are_off_without_a_target(tmp_path: Path, hook: Hook) -> None:
    outcome = _notify(three_changes(), tmp_path, {})
    assert hook.posts == []
    assert "alerts: off" in outcome.line and "3 changes not announced" in outcome.line
    assert not (tmp_path / STATE_FILE).exists()


def test_a_failed_delivery_stays_pending_and_a_later_run_delivers_it(tmp_path: Path, hook: Hook) -> None:
    env = {alerts.ALERT_URLS: hook.url()}
    hook.status = 500
    first = _notify(three_changes(), tmp_path, env)
    assert len(hook.posts) == 1  # it was tried
    assert first.sent == 0 and first.pending == 3
    assert "delivery failed" in first.line and "3 changes pending" in first.line
    state = _state(tmp_path)
    assert state["delivered"] == {}
    assert sorted(state["pending"]) == sorted(three_changes()["change_id"])
    assert all(p["attempts"] == 1 and "500" in p["last_error"] for p in state["pending"].values())

    # a later run with a new revision: the pending ones (read back from the history) and the new one, together
    hook.status = 200
    later = frame(
        [
            change(
                "demoted",
                "Binary drift on AKS (Linux): GA → Preview.",
                old="GA",
                new="Preview",
                old_revision=NEW,
                new_revision="c" * 16,
                new_ms_date="2026-05-09",
                detected_at="2026-05-10T06:00:00Z",
            )
        ]
    )
    second = _notify(later, tmp_path, env)
    assert len(hook.posts) == 2
    message = hook.posts[1]["message"]
    for sentence in ("Malware detection on AKS", "Runtime protection on EKS", "Agentless discovery", "Binary drift"):
        assert sentence in message
    assert hook.posts[1]["title"].endswith(": 4 changes (2 promoted, 1 removed, 1 demoted)")
    assert "Page ms.date: 2026-05-01, then 2026-05-09 (was 2026-04-01)" in message
    assert second.sent == 4
    state = _state(tmp_path)
    assert state["pending"] == {} and len(state["delivered"]) == 4


def test_an_unchanged_run_retries_pending_deliveries(tmp_path: Path, hook: Hook) -> None:
    env = {alerts.ALERT_URLS: hook.url()}
    hook.status = 500
    _notify(three_changes(), tmp_path, env)
    hook.status = 200
    outcome = alerts.retry_pending(snapshots=tmp_path, links=LINKS, env=env)
    assert len(hook.posts) == 2 and outcome.sent == 3
    assert alerts.retry_pending(snapshots=tmp_path, links=LINKS, env=env).sent == 0
    assert len(hook.posts) == 2


def test_a_flapping_change_is_reported_each_time(tmp_path: Path, hook: Hook) -> None:
    env = {alerts.ALERT_URLS: hook.url()}
    revs = ["b" * 16, "c" * 16, "d" * 16]
    flap = [
        change("promoted", "Sensor on AKS (Linux): Preview → GA.", old="Preview", new="GA", new_revision=revs[0]),
        change("demoted", "Sensor on AKS (Linux): GA → Preview.", old="GA", new="Preview", new_revision=revs[1]),
        change("promoted", "Sensor on AKS (Linux): Preview → GA.", old="Preview", new="GA", new_revision=revs[2]),
    ]
    assert flap[0]["change_id"] == flap[2]["change_id"]  # same content, as pipeline.diff ids it
    for i, row in enumerate(flap):
        _notify(frame([row]), tmp_path, env)
        assert len(hook.posts) == i + 1
    assert [p["title"].rsplit(": ", 1)[1] for p in hook.posts] == [
        "1 change (1 promoted)",
        "1 change (1 demoted)",
        "1 change (1 promoted)",
    ]
    occurrences = [f"{rev}@2026-05-02T06:00:00Z" for rev in (revs[0], revs[2])]
    assert _state(tmp_path)["delivered"][flap[0]["change_id"]]["revisions"] == occurrences


def test_a_pending_change_missing_from_the_history_is_dropped_with_a_warning(
    tmp_path: Path, hook: Hook, caplog: pytest.LogCaptureFixture
) -> None:
    env = {alerts.ALERT_URLS: hook.url()}
    hook.status = 500
    alerts.notify(three_changes(), snapshots=tmp_path, links=LINKS, env=env)  # never appended to the history
    hook.status = 200
    outcome = alerts.retry_pending(snapshots=tmp_path, links=LINKS, env=env)
    assert outcome.sent == 0 and len(hook.posts) == 1
    assert "no longer in the change history" in caplog.text
    assert _state(tmp_path)["pending"] == {}


def test_an_unusable_target_keeps_the_changes_pending_and_raises_masked(tmp_path: Path, hook: Hook) -> None:
    env = {alerts.ALERT_URLS: "nosuchservice://user:hunter22@example.com/t0ken-abcdef"}
    with pytest.raises(AlertError) as info:
        _notify(three_changes(), tmp_path, env)
    assert "hunter22" not in str(info.value) and "t0ken-abcdef" not in str(info.value)
    assert "nosuchservice://user:****@example.com/****" in str(info.value)
    assert len(_state(tmp_path)["pending"]) == 3


def test_a_text_only_target_gets_the_plain_text_body(tmp_path: Path, hook: Hook) -> None:
    _notify(three_changes(), tmp_path, {alerts.ALERT_URLS: hook.url(query="?format=text")})
    message = hook.posts[0]["message"]
    assert "Malware detection on AKS (Linux): Preview → GA." in message
    assert "**" not in message and "###" not in message and "](" not in message
    assert "The Learn page: https://learn.example/page" in message


def test_targets_from_an_apprise_config_file(tmp_path: Path, hook: Hook) -> None:
    config = tmp_path / "apprise.yml"
    config.write_text(f"urls:\n  - {hook.url()}\n", encoding="utf-8")
    outcome = _notify(three_changes(), tmp_path, {alerts.ALERT_CONFIG: str(config)})
    assert len(hook.posts) == 1 and outcome.sent == 3


def test_a_missing_config_file_is_an_alert_error(tmp_path: Path) -> None:
    with pytest.raises(AlertError, match="not found"):
        alerts.notify(three_changes(), snapshots=tmp_path, links=LINKS, env={}, config=tmp_path / "nope.yml")


# -- health ---------------------------------------------------------------------------


def _failed(*names: str) -> ValidationFailed:
    return ValidationFailed(f"{len(names)} expectations failed: {', '.join(names)}", failed=list(names))


def test_a_validation_failure_posts_one_health_message_then_one_recovered(tmp_path: Path, hook: Hook) -> None:
    env = {alerts.ALERT_URLS: hook.url()}
    first = alerts.health_failure(_failed("features.rows"), snapshots=tmp_path, snapshot_id="f" * 16, env=env, now=NOW)
    assert len(hook.posts) == 1 and first.sent == 1
    post = hook.posts[0]
    assert post["title"] == "Defender for Containers support matrix: pipeline health: validate failed"
    assert post["type"] == "failure"
    assert "features.rows" in post["message"] and "not a change in support" in post["message"]
    assert "Malware" not in post["message"]

    again = alerts.health_failure(_failed("features.rows"), snapshots=tmp_path, env=env, now="2026-05-03T06:00:00Z")
    assert len(hook.posts) == 1 and "already announced" in again.line

    alerts.health_ok(snapshots=tmp_path, env=env, now="2026-05-04T06:00:00Z")
    assert len(hook.posts) == 2
    assert hook.posts[1]["title"] == "Defender for Containers support matrix: pipeline health: recovered"
    assert hook.posts[1]["type"] == "success"
    assert f"Was failing since:** {NOW}" in hook.posts[1]["message"]

    alerts.health_ok(snapshots=tmp_path, env=env)
    assert len(hook.posts) == 2
    assert _state(tmp_path)["health"] == {"status": "ok"}


def test_each_distinct_failure_is_announced_once(tmp_path: Path, hook: Hook) -> None:
    env = {alerts.ALERT_URLS: hook.url()}
    errors = [
        _failed("a"),
        HTTPStatusError("GET page: HTTP 503 after 4 attempts in 12.5 s", status=503),
        _failed("a"),
        HTTPStatusError("GET page: HTTP 503 after 4 attempts in 9.1 s", status=503),
    ]
    for error in errors:
        alerts.health_failure(error, snapshots=tmp_path, env=env)
    assert [p["title"].rsplit(": ", 1)[1] for p in hook.posts] == ["validate failed", "fetch failed"]


def test_an_undelivered_health_message_is_tried_again_and_recovery_waits_for_it(tmp_path: Path, hook: Hook) -> None:
    env = {alerts.ALERT_URLS: hook.url()}
    hook.status = 500
    assert alerts.health_failure(_failed("a"), snapshots=tmp_path, env=env).sent == 0
    hook.status = 200
    assert alerts.health_failure(_failed("a"), snapshots=tmp_path, env=env).sent == 1
    hook.status = 500
    assert alerts.health_ok(snapshots=tmp_path, env=env).sent == 0
    assert _state(tmp_path)["health"]["status"] == "failing"
    hook.status = 200
    assert alerts.health_ok(snapshots=tmp_path, env=env).sent == 1
    assert [p["type"] for p in hook.posts] == ["failure", "failure", "success", "success"]


def test_health_messages_go_to_the_health_targets_when_set(httpserver: HTTPServer, tmp_path: Path) -> None:
    changes_hook, health_hook = Hook(httpserver, "/changes"), Hook(httpserver, "/health")
    env = {alerts.ALERT_URLS: changes_hook.url(), alerts.HEALTH_URLS: health_hook.url()}
    alerts.health_failure(_failed("a"), snapshots=tmp_path, env=env)
    _notify(three_changes(), tmp_path, env)
    assert [p["type"] for p in health_hook.posts] == ["failure"]
    assert len(changes_hook.posts) == 1 and changes_hook.posts[0]["title"].endswith("(2 promoted, 1 removed)")


def test_a_never_announced_failure_recovers_silently(tmp_path: Path, hook: Hook) -> None:
    env = {alerts.ALERT_URLS: hook.url()}
    hook.status = 500
    alerts.health_failure(_failed("a"), snapshots=tmp_path, env=env)
    hook.status = 200
    outcome = alerts.health_ok(snapshots=tmp_path, env=env)
    assert len(hook.posts) == 1 and outcome.sent == 0
    assert _state(tmp_path)["health"] == {"status": "ok"}
