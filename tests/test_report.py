"""``python -m pipeline report ...`` against snapshot stores built by the real pipeline from the sample page."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline import alerts, summary
from pipeline import report as texts
from pipeline.cli import main as cli
from pipeline.commands.report import load
from pipeline.run import RunOptions, run
from pipeline.snapshots import QUARANTINED, SnapshotStore

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "tests" / "fixtures" / "learn_sample.html"
T1, T2, T3 = "2025-04-01T06:17:00Z", "2025-04-02T06:17:00Z", "2025-04-03T06:17:00Z"


def edited_sample(tmp: Path) -> Path:
    """The sample page, revised: a new ms.date and source commit, one state promoted, one language dropped."""
    text = SAMPLE.read_text(encoding="utf-8")
    for old, new in (
        ("<td>Preview (Container with ACR images are GA)</td>", "<td>GA</td>"),
        (" * Ruby<br>", ""),
        ("2025-03-30", "2025-04-02"),
        ("03/30/2025", "04/02/2025"),
        ("00000000000000000000000000000000000000a1", "00000000000000000000000000000000000000a2"),
    ):
        assert old in text, old
        text = text.replace(old, new)
    path = tmp / "revised.html"
    path.write_text(text, encoding="utf-8")
    return path


def run_at(root: Path, source: Path, at: str) -> None:
    run(RunOptions(source=str(source), snapshots=root / "snapshots", output=root / "output", fetched_at=at))


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Repositories (snapshots/ + output/) after: a baseline run, an unchanged re-run, a revised page."""
    from pipeline.diff import diff

    tmp = tmp_path_factory.mktemp("stores")
    baseline = tmp / "baseline"
    run_at(baseline, SAMPLE, T1)
    unchanged = tmp / "unchanged"
    shutil.copytree(baseline, unchanged)
    run_at(unchanged, SAMPLE, T2)
    revised = tmp / "revised"
    shutil.copytree(unchanged, revised)
    run_at(revised, edited_sample(tmp), T3)
    store = SnapshotStore(revised / "snapshots")
    if not len(store.changes()):  # the recipe's diff step, until run.py does it itself
        old, new = store.good()
        store.append_changes(diff(old.frames(), new.frames(), old.meta, new.meta))
    return {"baseline": baseline, "unchanged": unchanged, "revised": revised}


def report_cli(capsys: pytest.CaptureFixture[str], root: Path, *args: str) -> str:
    code = cli(["report", *args, "--snapshots", str(root / "snapshots"), "--output", str(root / "output")])
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


def outputs(text: str) -> dict[str, str]:
    lines = text.splitlines()
    assert all(line.count("=") >= 1 and "\n" not in line for line in lines)
    return dict(line.split("=", 1) for line in lines)


# -- the latest run, read back ---------------------------------------------
def test_baseline_run(stores: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    root = stores["baseline"]
    entry = SnapshotStore(root / "snapshots").entries()[0]
    out = outputs(report_cli(capsys, root, "outputs"))
    assert out == {
        "status": "new",
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
    store = SnapshotStore(root / "snapshots")
    new = store.entries()[-1]
    history = store.changes()
    mine = history[history["new_revision"] == new["id"]]
    assert set(mine["kind"]) == {"promoted", "removed"}  # the two edits of the revised page
    out = outputs(report_cli(capsys, root, "outputs"))
    assert out["status"] == "new" and out["changed"] == "true" and out["n_changes"] == str(len(mine))
    assert out["tag"] == "matrix-2025-04-02" and out["snapshot"] == new["id"]

    message = report_cli(capsys, root, "commit-message")
    subject, blank, *body = message.splitlines()
    assert subject == "Refresh: " + summary.title(mine).removeprefix(summary.PAGE_TITLE + ": ") and blank == ""
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
    links = alerts.Links(new["canonical_url"], "output/changes.md")
    alert = alerts.change_message(mine, links=links, limit=texts.ISSUE_LIMIT)
    assert body_md.startswith(alert.markdown.rstrip() + "\n\n---\n")
    assert "Page ms.date: 2025-04-02 (was 2025-03-30)" in body_md


def test_changes_of_an_earlier_run_are_not_reported_again(stores: dict[str, Path], tmp_path: Path) -> None:
    root = tmp_path / "again"
    shutil.copytree(stores["revised"], root)
    run_at(root, edited_sample(tmp_path), "2025-04-04T06:17:00Z")
    report = load(root / "snapshots")
    assert (report.status, report.changed) == ("unchanged", False)
    assert texts.commit_message(report).startswith("Refresh: no support changes (checked 2025-04-04T06:17:00Z)")


def test_site_url_links_in_the_issue_body(
    stores: dict[str, Path], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SUPPORTMATRIX_SITE_URL", raising=False)
    monkeypatch.setenv("GITHUB_REPOSITORY", "Contoso/supportmatrix")
    body = report_cli(capsys, stores["revised"], "issue-body")
    assert "https://contoso.github.io/supportmatrix/latest/" in body
    assert "https://contoso.github.io/supportmatrix/datapackage.json" in body
    monkeypatch.setenv("SUPPORTMATRIX_SITE_URL", "https://data.example.org/matrix")
    body = report_cli(capsys, stores["revised"], "issue-body")
    assert "https://data.example.org/matrix/changes.atom" in body


# -- failures ---------------------------------------------------------------
@pytest.fixture()
def quarantined(stores: dict[str, Path], tmp_path: Path) -> Path:
    """The baseline repository after a run whose revised page failed validation (stored in quarantine)."""
    from pipeline.build import build
    from pipeline.fetch import fetch
    from pipeline.run import snapshot_meta

    root = tmp_path / "repo"
    shutil.copytree(stores["baseline"], root)
    fetched = fetch(str(edited_sample(tmp_path)), fetched_at=T2)
    revision = build(fetched.body, fetched)
    SnapshotStore(root / "snapshots").store(
        page=fetched.body,
        meta=snapshot_meta(revision, fetched),
        frames=revision.frames,
        validation={"success": False, "failed": ["features_not_empty", "states_known"]},
        status=QUARANTINED,
    )
    return root


def test_validation_failure(quarantined: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = outputs(report_cli(capsys, quarantined, "outputs", "--exit-code", "5"))
    assert (out["status"], out["validation_failed"], out["changed"]) == ("quarantined", "true", "false")
    # the index alone says so too (a run that was not told its exit code)
    assert outputs(report_cli(capsys, quarantined, "outputs"))["validation_failed"] == "true"
    message = report_cli(capsys, quarantined, "commit-message", "--exit-code", "5")
    assert message.startswith("Refresh: the page failed validation and was quarantined")
    assert "features_not_empty, states_known" in message
    body = report_cli(capsys, quarantined, "health-body", "--exit-code", "5")
    assert "- `features_not_empty`\n- `states_known`" in body
    assert "nothing was published" in body and "ms.date 2025-04-02" in body and "ms.date 2025-03-30" in body
    step = report_cli(capsys, quarantined, "step-summary", "--exit-code", "5")
    assert "### Failed expectations" in step and "- `states_known`" in step


def test_forced_publication_is_said_loudly(stores: dict[str, Path], tmp_path: Path) -> None:
    from pipeline.build import build
    from pipeline.fetch import fetch
    from pipeline.run import snapshot_meta

    root = tmp_path / "repo"
    shutil.copytree(stores["baseline"], root)
    fetched = fetch(str(edited_sample(tmp_path)), fetched_at=T2)
    revision = build(fetched.body, fetched)
    SnapshotStore(root / "snapshots").store(
        page=fetched.body,
        meta=snapshot_meta(revision, fetched),
        frames=revision.frames,
        validation={"success": False, "failed": ["states_known"]},
    )
    report = load(root / "snapshots", exit_code=0)
    assert report.forced and not report.validation_failed
    assert "Published with --force although validation failed: states_known" in texts.commit_message(report)
    assert "**Published with `--force`**" in texts.step_summary(report)


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
    ident = SnapshotStore(root / "snapshots").entries()[-1]["id"]
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


# -- GitHub, through a stand-in gh on PATH ------------------------------------
FAKE_GH = """#!{python}
import json, os, sys
state_path = os.environ["FAKE_GH_STATE"]
state = json.load(open(state_path))
args = sys.argv[1:]
stdin = sys.stdin.read() if "-" in args else None
state["calls"].append({{"args": args, "stdin": stdin}})
code, out, err = 0, "", ""
if args[:2] == ["issue", "list"]:
    label = args[args.index("--label") + 1]
    out = "".join(f"{{n}}\\n" for n in state["open_issues"].get(label, []))
elif args[:2] == ["issue", "create"]:
    out = "https://github.com/o/r/issues/7\\n"
elif args[:2] == ["release", "view"]:
    if args[2] not in state["releases"]:
        code, err = 1, "release not found\\n"
elif args[:2] == ["release", "create"]:
    state["releases"].append(args[2])
    out = f"https://github.com/o/r/releases/tag/{{args[2]}}\\n"
json.dump(state, open(state_path, "w"))
sys.stdout.write(out); sys.stderr.write(err)
sys.exit(code)
"""


@pytest.fixture()
def fake_gh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    gh = bin_dir / "gh"
    gh.write_text(FAKE_GH.format(python=sys.executable), encoding="utf-8")
    gh.chmod(gh.stat().st_mode | stat.S_IXUSR)
    state = tmp_path / "gh.json"
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_GH_STATE", str(state))

    def setup(open_issues: dict[str, list[int]] | None = None, releases: list[str] | None = None) -> Path:
        state.write_text(json.dumps({"calls": [], "open_issues": open_issues or {}, "releases": releases or []}))
        return state

    return setup


def calls(state: Path) -> list[dict]:
    return json.loads(state.read_text())["calls"]


def test_issue_is_opened_with_the_label_when_none_is_open(
    stores: dict[str, Path], capsys: pytest.CaptureFixture[str], fake_gh
) -> None:
    state = fake_gh()
    out = report_cli(capsys, stores["revised"], "issue", "--kind", "changes")
    assert out.strip() == "opened https://github.com/o/r/issues/7"
    made = calls(state)
    assert made[0]["args"][:3] == ["label", "create", "support-change"]
    create = made[-1]
    assert create["args"][:2] == ["issue", "create"]
    assert create["args"][create["args"].index("--label") + 1] == "support-change"
    assert create["args"][create["args"].index("--title") + 1] == texts.issue_title(
        load(stores["revised"] / "snapshots")
    )
    assert create["stdin"] == texts.issue_body(load(stores["revised"] / "snapshots"))


def test_issue_gets_a_comment_when_one_is_open(quarantined: Path, capsys: pytest.CaptureFixture[str], fake_gh) -> None:
    state = fake_gh(open_issues={"pipeline-health": [12]})
    out = report_cli(capsys, quarantined, "issue", "--kind", "health", "--exit-code", "5")
    assert out.strip() == "commented on issue #12"
    comment = calls(state)[-1]
    assert comment["args"] == ["issue", "comment", "12", "--body-file", "-"]
    assert "- `states_known`" in comment["stdin"]
    assert not any(c["args"][:2] == ["issue", "create"] for c in calls(state))


def test_no_issue_and_no_gh_call_without_a_reason(
    stores: dict[str, Path], capsys: pytest.CaptureFixture[str], fake_gh
) -> None:
    state = fake_gh()
    assert "no issue" in report_cli(capsys, stores["unchanged"], "issue", "--kind", "changes")
    assert "no health issue" in report_cli(capsys, stores["unchanged"], "issue", "--kind", "health", "--exit-code", "0")
    assert "no release" in report_cli(capsys, stores["unchanged"], "release")
    assert calls(state) == []


def test_release_attaches_the_datasets_and_avoids_a_taken_tag(
    stores: dict[str, Path], capsys: pytest.CaptureFixture[str], fake_gh
) -> None:
    root = stores["revised"]
    ident = SnapshotStore(root / "snapshots").entries()[-1]["id"]
    state = fake_gh(releases=["matrix-2025-04-02"])
    out = report_cli(capsys, root, "release", "--target", "f" * 40)
    tag = f"matrix-2025-04-02-{ident[:8]}"
    assert out.startswith(f"released {tag}: ")
    create = calls(state)[-1]
    args = create["args"]
    assert args[:3] == ["release", "create", tag]
    attached = [a for a in args if a.endswith((".parquet", ".json"))]
    expected = sorted(str(p) for p in (root / "output" / "latest").glob("*.parquet"))
    if (root / "output" / "datapackage.json").exists():
        expected.append(str(root / "output" / "datapackage.json"))
    assert attached == expected and expected
    assert args[args.index("--target") + 1] == "f" * 40
    assert create["stdin"] == texts.issue_body(load(root / "snapshots"))
    # a re-run of the same job finds both tags taken and creates nothing
    again = report_cli(capsys, root, "release")
    assert "already exists" in again
    assert sum(c["args"][:2] == ["release", "create"] for c in calls(state)) == 1


def test_gh_errors_become_one_line(
    stores: dict[str, Path], capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    gh = bin_dir / "gh"
    gh.write_text("#!/bin/sh\necho 'HTTP 403: Resource not accessible by integration' >&2\nexit 1\n")
    gh.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    code = cli(["report", "issue", "--kind", "changes", "--snapshots", str(stores["revised"] / "snapshots")])
    err = capsys.readouterr().err
    assert code == 7
    assert err.strip() == "supportmatrix: publish: gh could not label: HTTP 403: Resource not accessible by integration"


# -- the Makefile's commit step ------------------------------------------------
def test_make_commit_data_commits_only_data_with_the_report_message(stores: dict[str, Path], tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.org",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.org",
    }

    def sh(*args: str) -> str:
        return subprocess.run(args, cwd=repo, env=env, check=True, capture_output=True, text=True).stdout

    venv = Path(sys.executable).parent.parent
    make = ["make", "-s", "-f", str(ROOT / "Makefile"), f"VENV={venv}", "-o", f"{venv}/.installed", "commit-data"]
    sh("git", "init", "-q", "-b", "main")
    (repo / "notes.txt").write_text("unrelated work in progress\n")
    sh("git", "add", "notes.txt")
    sh("git", "commit", "-q", "-m", "start")
    (repo / "notes.txt").write_text("edited and staged, not data\n")
    sh("git", "add", "notes.txt")
    for name in ("snapshots", "output"):
        shutil.copytree(stores["revised"] / name, repo / name)
    sh(*make)
    message = sh("git", "log", "-1", "--format=%B")
    expected = texts.commit_message(load(repo / "snapshots"))
    assert message.strip() == expected.strip()
    changed = sh("git", "show", "--name-only", "--format=", "HEAD").split()
    assert changed and all(p.startswith(("snapshots/", "output/")) for p in changed)
    assert "notes.txt" in sh("git", "diff", "--cached", "--name-only")  # staged work is left alone
    assert "nothing changed" in sh(*make)
    assert sh("git", "rev-list", "--count", "HEAD").strip() == "2"
