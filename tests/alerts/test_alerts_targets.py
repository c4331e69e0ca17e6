"""Alert targets: URL splitting and masking, and secrets that never reach logs, output or files."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from pipeline import alerts
from pipeline.alerts._targets import Redactor, mask_url, split_urls, url_secrets
from pipeline.cli import main
from pipeline.errors import ValidationFailed
from tests.alerts_support import Hook, append_history, three_changes
from tests.support import page_dir

LINKS = alerts.Links("https://learn.example/page", "https://site.example/changes.md")
PASSWORD, TOKEN = "s3cr3tPassw0rd", "t0kenSEGMENT98765"


def test_split_urls_on_commas_and_whitespace_but_not_inside_a_query() -> None:
    text = " json://a/x,  slack://T/B/C/#ch\nmailtos://u:p@example.com?to=a@x.org,b@y.org , form://h/p "
    assert split_urls(text) == [
        "json://a/x",
        "slack://T/B/C/#ch",
        "mailtos://u:p@example.com?to=a@x.org,b@y.org",
        "form://h/p",
    ]
    assert split_urls("") == [] and split_urls(None) == []


@pytest.mark.parametrize(
    ("url", "masked"),
    [
        ("json://user:pw@127.0.0.1:8080/hook/abc", "json://user:****@127.0.0.1:8080/****/****"),
        ("jsons://hooks.example.com/services/T0/B0/XYZ", "jsons://hooks.example.com/****/****/****/****"),
        ("slack://TokenA1/TokenB22/TokenC333/#general", "slack://****/****/****/"),
        ("mailtos://me:pa55word@example.com?to=ops@example.com", "mailtos://me:****@example.com"),
        (
            "workflows://prod-01.westus.logic.azure.com:443/wfid/sig",
            "workflows://prod-01.westus.logic.azure.com:443/****/****",
        ),
        ("tgram://123456789:ABCdefGHI/12345", "tgram://****/****"),
        ("pover://userkey@apptoken", "pover://****@****"),
        ("not a url", "**** (not a URL)"),
    ],
)
def test_mask_url_hides_every_part_that_may_be_a_secret(url: str, masked: str) -> None:
    assert mask_url(url) == masked


def test_url_secrets_cover_passwords_tokens_and_their_encodings() -> None:
    secrets = url_secrets("json://user:p%40ss@127.0.0.1/hook/tok%2Fen?token=abcdef&method=POST")
    assert {"p%40ss", "p@ss", "hook", "tok%2Fen", "tok/en", "abcdef"} <= secrets
    assert "POST" not in secrets and "127.0.0.1" not in secrets
    redact = Redactor(url_secrets("slack://T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ/#general"))
    assert redact("POST /T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ failed") == "POST /****/****/**** failed"


def test_a_secret_in_the_url_never_appears_in_logs_output_state_or_snapshot_meta(
    httpserver: HTTPServer, tmp_path: Path, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    caplog.set_level(logging.DEBUG)  # the most talkative apprise/urllib3 get
    hook = Hook(httpserver, f"/hook/{TOKEN}")
    env = {alerts.ALERT_URLS: hook.url(userinfo=f"user:{PASSWORD}")}
    snapshots = tmp_path / "snapshots"
    (snapshots / "0123456789abcdef").mkdir(parents=True)
    (snapshots / "0123456789abcdef" / "meta.json").write_text('{"id": "0123456789abcdef"}', encoding="utf-8")
    append_history(snapshots, three_changes())

    hook.status = 500  # the failure path says the most
    failed = alerts.notify(three_changes(), snapshots=snapshots, links=LINKS, env=env)
    hook.status = 200
    sent = alerts.retry_pending(snapshots=snapshots, links=LINKS, env=env)
    health = alerts.health_failure(ValidationFailed("x failed", failed=["x"]), snapshots=snapshots, env=env)
    dead = {alerts.ALERT_URLS: f"json://user:{PASSWORD}@127.0.0.1:9/hook/{TOKEN}"}  # connection refused
    refused = alerts.notify(three_changes(new_revision="e" * 16), snapshots=snapshots, links=LINKS, env=dead)
    preview = alerts.preview(snapshots=snapshots, links=LINKS, env=env)

    assert len(hook.posts) == 3  # the secrets were really used ...
    assert hook.headers[0]["Authorization"].startswith("Basic ")
    assert refused.pending == 3
    # ... and never shown: not by apprise, urllib3 or us (werkzeug's records are the test server's own)
    ours = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("werkzeug"))
    assert "apprise" in ours and "json://user:****@127.0.0.1" in ours  # apprise did log, redacted
    out = capsys.readouterr()
    texts = {
        "logs": ours,
        "stdout": out.out,
        "stderr": out.err,
        "outcomes": " ".join(o.line + repr(o.deliveries) for o in (failed, sent, health, refused)),
        "preview": preview,
        "state": (snapshots / "alerts-state.json").read_text(encoding="utf-8"),
        "snapshot meta": "".join(p.read_text(encoding="utf-8") for p in snapshots.rglob("*.json")),
    }
    for where, text in texts.items():
        assert PASSWORD not in text, where
        assert TOKEN not in text, where
    assert f"127.0.0.1:{httpserver.port}/****/****" in preview


def test_the_cli_dry_run_prints_the_message_and_masked_targets_and_sends_nothing(
    httpserver: HTTPServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    hook = Hook(httpserver, f"/hook/{TOKEN}")
    monkeypatch.setenv(alerts.ALERT_URLS, hook.url(userinfo=f"user:{PASSWORD}"))
    monkeypatch.delenv(alerts.HEALTH_URLS, raising=False)
    root = tmp_path / "snapshots"
    snapshots = page_dir(root)  # the API takes the page's store, the CLI its root
    append_history(snapshots, three_changes())
    hook.status = 500
    alerts.notify(three_changes(), snapshots=snapshots, links=LINKS)
    capsys.readouterr()

    assert main(["alert", "--dry-run", "--snapshots", str(root)]) == 0
    out = capsys.readouterr().out
    assert len(hook.posts) == 1  # only the failed attempt above
    assert f"Change targets: JSON json://user:****@127.0.0.1:{httpserver.port}/****/****" in out
    assert "Changes: 3 changes pending delivery" in out
    assert "Title: Defender for Containers support matrix: 3 changes (2 promoted, 1 removed)" in out
    assert "- Malware detection on AKS (Linux): Preview → GA." in out
    assert PASSWORD not in out and TOKEN not in out

    hook.status = 200
    assert main(["alert", "--snapshots", str(root)]) == 0  # delivers the pending ones
    assert len(hook.posts) == 2
    assert "sent 3 changes to 1 target" in capsys.readouterr().out


def test_the_cli_test_sends_one_test_message_and_fails_loudly_when_it_cannot(
    httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    hook = Hook(httpserver)
    monkeypatch.setenv(alerts.ALERT_URLS, hook.url())
    monkeypatch.delenv(alerts.HEALTH_URLS, raising=False)
    assert main(["alert", "--test"]) == 0
    assert len(hook.posts) == 1 and hook.posts[0]["title"].endswith(": test alert")
    hook.status = 500
    assert main(["alert", "--test"]) == 8
    assert "test alert not delivered" in capsys.readouterr().err
    monkeypatch.delenv(alerts.ALERT_URLS)
    assert main(["alert", "--test"]) == 8
