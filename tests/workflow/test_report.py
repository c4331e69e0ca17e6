"""``python -m pipeline report ...`` against snapshot stores built by the real pipeline from the sample page."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from pipeline import alerts, pages
from pipeline.commands.report import load
from pipeline.diff import summary
from pipeline.errors import AlertError
from pipeline.pages import DEFAULT
from pipeline.store.snapshots import SnapshotStore
from pipeline.workflow import fanout
from pipeline.workflow import report as texts
from tests.report_support import (
    ROOT,
    SAMPLE,
    T2,
    T3,
    broken_sample,
    build_stores,
    edited_sample,
    outputs,
    page_output,
    page_store,
    quarantined_copy,
    report_cli,
    run_at,
)


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return build_stores(tmp_path_factory.mktemp("stores"))


# -- the latest run, read back ---------------------------------------------
def test_baseline_run(stores: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    root = stores["baseline"]
    entry = SnapshotStore(page_store(root)).entries()[0]
    out = outputs(report_cli(capsys, root, "outputs"))
    assert out == {
        "status": "new",
        "exit_code": "0",
        "changed": "false",
        "n_changes": "0",
        "validation_failed": "false",
        "forced": "false",
        "baseline": "true",
        "snapshot": entry["id"],
        "tag": "matrix-2025-03-30",
    }
    message = report_cli(capsys, root, "commit-message")
    assert (
        message.splitlines()[0]
        == f"Refresh: baseline snapshot {entry['id']} (ms.date 2025-03-30, source commit 0000000)"
    )


def test_unchanged_run_says_no_support_changes_and_when_it_checked(
    stores: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    root = stores["unchanged"]
    message = report_cli(capsys, root, "commit-message")
    assert message.splitlines()[0] == f"Refresh: no support changes (checked {T2})"
    out = outputs(report_cli(capsys, root, "outputs"))
    assert (out["status"], out["changed"], out["n_changes"], out["baseline"]) == ("unchanged", "false", "0", "false")
    summary_md = report_cli(capsys, root, "step-summary")
    assert "| Result | page unchanged |" in summary_md and f"| Checked at | {T2} |" in summary_md
    assert "### Changes" not in summary_md


def test_revised_page_reports_exactly_the_runs_changes(
    stores: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    root = stores["revised"]
    store = SnapshotStore(page_store(root))
    new = store.entries()[-1]
    history = store.changes()
    mine = history[history["new_revision"] == new["id"]]
    assert set(mine["kind"]) == {"promoted", "removed"}  # the two edits of the revised page
    out = outputs(report_cli(capsys, root, "outputs"))
    assert out["status"] == "new" and out["changed"] == "true" and out["n_changes"] == str(len(mine))
    assert out["tag"] == "matrix-2025-04-02" and out["snapshot"] == new["id"]

    message = report_cli(capsys, root, "commit-message")
    subject, blank, *body = message.splitlines()
    assert subject == "Refresh: " + summary.title(mine).removeprefix(summary.page_title() + ": ") and blank == ""
    assert subject.startswith(f"Refresh: {len(mine)} change")
    for line in mine["summary"]:
        assert f"- {line}" in message
    assert f"snapshot {new['id']}" in body[-1]

    step = report_cli(capsys, root, "step-summary")
    assert "### Changes" in step and summary.summary_markdown(mine, limit=texts.SUMMARY_LIMIT).strip() in step

    assert report_cli(capsys, root, "issue-title").strip() == summary.title(mine)
    body_md = report_cli(capsys, root, "issue-body")
    assert body_md.startswith(summary.summary_markdown(mine, limit=texts.ISSUE_LIMIT).rstrip())
    assert f"`{new['id']}`" in body_md and "ms.date 2025-03-30" in body_md  # the previous revision too
    # the issue says what the change alert says
    links = alerts.Links(new["canonical_url"], f"output/{DEFAULT}/changes.md")  # the page's own publication
    alert = alerts.change_message(mine, links=links, limit=texts.ISSUE_LIMIT)
    assert body_md.startswith(alert.markdown.rstrip() + "\n\n---\n")
    assert "Page ms.date: 2025-04-02 (was 2025-03-30)" in body_md


def test_changes_of_an_earlier_run_are_not_reported_again(stores: dict[str, Path], tmp_path: Path) -> None:
    root = tmp_path / "again"
    shutil.copytree(stores["revised"], root)
    run_at(root, edited_sample(tmp_path), "2025-04-04T06:17:00Z")
    report = load(page_store(root))
    assert (report.status, report.changed) == ("unchanged", False)
    assert texts.commit_message(report).startswith("Refresh: no support changes (checked 2025-04-04T06:17:00Z)")


def test_site_url_links_in_the_issue_body(
    stores: dict[str, Path], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SUPPORTMATRIX_SITE_URL", raising=False)
    monkeypatch.setenv("GITHUB_REPOSITORY", "Contoso/supportmatrix")
    # the site serves the output root: the page's datasets, data package and feed are in its folder
    body = report_cli(capsys, stores["revised"], "issue-body")
    assert f"https://contoso.github.io/supportmatrix/{DEFAULT}/latest/" in body
    assert f"https://contoso.github.io/supportmatrix/{DEFAULT}/datapackage.json" in body
    assert f"https://contoso.github.io/supportmatrix/{DEFAULT}/changes.md" in body
    monkeypatch.setenv("SUPPORTMATRIX_SITE_URL", "https://data.example.org/matrix")
    body = report_cli(capsys, stores["revised"], "issue-body")
    assert f"https://data.example.org/matrix/{DEFAULT}/changes.atom" in body


# -- failures ---------------------------------------------------------------
@pytest.fixture()
def quarantined(stores: dict[str, Path], tmp_path: Path) -> Path:
    return quarantined_copy(stores["baseline"], tmp_path)


def test_the_health_matrix_hands_the_issue_job_the_exit_code(
    quarantined: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The workflow's own path: ``report outputs`` -> the publish job's health matrix -> ``report issue --kind
    health --exit-code`` (the matrix once carried the status word, and the health job exited 2)."""
    outcome = fanout.parse_outcome(report_cli(capsys, quarantined, "outputs", "--exit-code", "5"))
    matrix = dict(
        line.split("=", 1) for line in fanout.github_outputs(pages.all_pages(), {DEFAULT: outcome}).splitlines()
    )
    health = json.loads(matrix["health"])
    assert health == [{"page": DEFAULT, "exit_code": "5"}]
    text = report_cli(
        capsys, quarantined, "issue", "--kind", "health", "--dry-run", "--exit-code", health[0]["exit_code"]
    )
    assert text.startswith("label: pipeline-health\ntitle: Pipeline health: ")


def test_validation_failure(quarantined: Path, capsys: pytest.CaptureFixture[str]) -> None:
    held = SnapshotStore(page_store(quarantined)).entries()[-1]
    assert held["status"] == "quarantined"
    failed = held["validation"]["failed"]
    assert failed
    out = outputs(report_cli(capsys, quarantined, "outputs", "--exit-code", "5"))
    assert (out["status"], out["validation_failed"], out["changed"]) == ("quarantined", "true", "false")
    assert out["snapshot"] == held["id"]
    # the index alone says so too (a run that was not told its exit code)
    assert outputs(report_cli(capsys, quarantined, "outputs"))["validation_failed"] == "true"
    message = report_cli(capsys, quarantined, "commit-message", "--exit-code", "5")
    assert message.startswith("Refresh: the page failed validation and was quarantined")
    assert f"Failed expectations: {', '.join(failed)}." in message
    body = report_cli(capsys, quarantined, "health-body", "--exit-code", "5")
    assert "\n".join(f"- `{name}`" for name in failed) in body
    assert "nothing was published" in body and "ms.date 2025-04-05" in body and "ms.date 2025-03-30" in body
    step = report_cli(capsys, quarantined, "step-summary", "--exit-code", "5")
    assert "### Failed expectations" in step and f"- `{failed[-1]}`" in step


def test_validation_failure_known_only_from_the_exit_code(stores: dict[str, Path]) -> None:
    report = load(page_store(stores["unchanged"]), exit_code=5)
    good = SnapshotStore(page_store(stores["unchanged"])).entries()[-1]
    assert report.validation_failed and report.snapshot is None and report.previous == good
    body = texts.health_body(report)
    assert body.startswith("The run that checked the page at 2025-04-02T06:17:00Z found that the fetched page fails")
    assert f"(snapshot `{good['id']}`, ms.date 2025-03-30" in body
    assert texts.outputs(report).splitlines()[-2:] == ["snapshot=", "tag="]


def test_forced_publication_is_said_loudly(quarantined: Path, tmp_path: Path) -> None:
    run_at(quarantined, broken_sample(tmp_path), T3, force=True)  # the same page, released from quarantine
    store = SnapshotStore(page_store(quarantined))
    entry = store.entries()[-1]
    assert entry["status"] == "good" and entry["fetched_at"] == T2  # still its first fetch time
    report = load(page_store(quarantined), page_output(quarantined), exit_code=0)
    assert (report.status, report.forced, report.validation_failed) == ("new", True, False)
    assert report.changed and report.n_changes == int((store.changes()["new_revision"] == entry["id"]).sum())
    failed = ", ".join(entry["validation"]["failed"])
    assert f"Published with --force although validation failed: {failed}" in texts.commit_message(report)
    assert "**Published with `--force`**" in texts.step_summary(report)
    # without output/ to show it was published at this check, its changes are dated at this check
    assert load(page_store(quarantined), exit_code=0).status == "new"


def test_a_page_that_reverts_compares_with_the_page_it_replaced(stores: dict[str, Path], tmp_path: Path) -> None:
    root = tmp_path / "repo"
    shutil.copytree(stores["revised"], root)
    run_at(root, SAMPLE, "2025-04-04T06:17:00Z")  # back to the first revision
    store = SnapshotStore(page_store(root))
    first, revised = store.entries()
    report = load(page_store(root), page_output(root))
    assert (report.status, report.snapshot["id"], report.previous["id"]) == ("new", first["id"], revised["id"])
    assert not report.baseline and report.changed
    assert set(report.changes["detected_at"]) == {"2025-04-04T06:17:00Z"}
    assert set(report.changes["old_revision"]) == {revised["id"]}
    # a revert within the transient window: the issue and the release say what the alert said, the
    # transient lines only (helper-15 F4: they listed the demotion and the re-addition as well)
    assert set(report.changes["kind"]) == {"transient"}
    recorded = store.changes()
    assert {"demoted", "added"} <= set(recorded[recorded["detected_at"] == "2025-04-04T06:17:00Z"]["kind"])
    assert texts.issue_title(report).endswith(
        f"no changes, {len(report.changes)} events ({len(report.changes)} transient)"
    )


def test_a_rebuilt_output_of_an_unchanged_page_announces_nothing_again(
    stores: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """output/ rebuilt (deleted, or an older contract version) republishes the unchanged page with today's
    fetch time: the report must not take it for a new revision and repeat the last changes (helper-15 F1)."""
    root = tmp_path / "repo"
    shutil.copytree(stores["revised"], root)
    shutil.rmtree(page_output(root))
    run_at(root, edited_sample(tmp_path), "2025-04-04T06:17:00Z")
    capsys.readouterr()
    assert (page_output(root) / "latest" / "page.json").is_file()
    out = outputs(report_cli(capsys, root, "outputs"))
    assert (out["status"], out["changed"], out["n_changes"]) == ("unchanged", "false", "0")
    assert report_cli(capsys, root, "issue", "--kind", "changes", "--dry-run").startswith("no support changes")
    assert report_cli(capsys, root, "release", "--dry-run").startswith("no support changes")


def test_a_run_whose_alert_targets_were_unusable_still_gets_its_issue_and_release(
    stores: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Exit 8 comes after publishing; the next run sees an unchanged page, so reading 8 as "failed" lost
    the GitHub announcement for good (helper-15 F3)."""
    root = tmp_path / "repo"
    shutil.copytree(stores["unchanged"], root)
    monkeypatch.setenv(alerts.ALERT_URLS, "nosuchservice://example.com/t0ken")
    with pytest.raises(AlertError):
        run_at(root, edited_sample(tmp_path), T3)
    capsys.readouterr()
    out = outputs(report_cli(capsys, root, "outputs", "--exit-code", "8"))
    assert (out["status"], out["exit_code"], out["changed"]) == ("new", "8", "true")
    assert report_cli(capsys, root, "issue", "--kind", "changes", "--dry-run", "--exit-code", "8").startswith(
        "label: support-change"
    )


def test_the_baseline_after_the_shipped_reconstruction_opens_no_issue_and_no_release(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A ``baseline`` record says which page the diffs start from; the alerts never announce it, nor may the
    issue or a release (helper-15 F7)."""
    root = tmp_path / "repo"
    shutil.copytree(ROOT / "snapshots", root / "snapshots")
    run_at(root, edited_sample(tmp_path), T3)
    capsys.readouterr()
    assert list(SnapshotStore(page_store(root)).changes()["kind"]) == ["baseline"]
    out = outputs(report_cli(capsys, root, "outputs"))
    assert (out["status"], out["changed"], out["n_changes"]) == ("new", "false", "0")
    assert report_cli(capsys, root, "issue", "--kind", "changes", "--dry-run").startswith("no support changes")
    assert report_cli(capsys, root, "release", "--dry-run").startswith("no support changes")


def test_a_run_that_failed_otherwise(stores: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    root = stores["unchanged"]
    out = outputs(report_cli(capsys, root, "outputs", "--exit-code", "3"))
    assert (out["status"], out["validation_failed"], out["changed"]) == ("failed", "false", "false")
    assert report_cli(capsys, root, "commit-message", "--exit-code", "3").startswith(
        "Refresh: the run failed (exit code 3)"
    )
    assert "| Exit code | 3 |" in report_cli(capsys, root, "step-summary", "--exit-code", "3")


def test_empty_store(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = outputs(report_cli(capsys, tmp_path, "outputs"))
    assert (out["status"], out["changed"], out["snapshot"], out["tag"]) == ("empty", "false", "", "")
    assert report_cli(capsys, tmp_path, "commit-message").startswith("Refresh: no snapshot yet")


# -- release tag ------------------------------------------------------------
def test_release_tag_takes_the_snapshot_id_when_the_date_is_taken(
    stores: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    root = stores["revised"]
    ident = SnapshotStore(page_store(root)).entries()[-1]["id"]
    assert report_cli(capsys, root, "release-tag").strip() == "matrix-2025-04-02"
    taken = report_cli(capsys, root, "release-tag", "--taken", "matrix-2025-04-02").strip()
    assert taken == f"matrix-2025-04-02-{ident[:8]}"


def test_release_tag_is_a_valid_git_ref_for_odd_dates() -> None:
    report = texts.RunReport(
        "new", checked_at="2025-05-06T00:00:00Z", snapshot={"id": "ab" * 8, "ms_date": "05/06/2025"}
    )
    tag = texts.release_tag(report)
    assert tag == "matrix-2025-05-06"
    assert subprocess.run(["git", "check-ref-format", f"refs/tags/{tag}"], check=False).returncode == 0
    for odd in (None, "", "spring 2025"):
        undated = texts.RunReport("new", checked_at="2025-05-07T01:02:03Z", snapshot={"id": "cd" * 8, "ms_date": odd})
        assert texts.release_tag(undated) == "matrix-2025-05-07"
