"""``report issue`` / ``report release`` through a stand-in ``gh`` on PATH, and the Makefile's commit step."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.cli import main as cli
from pipeline.commands.report import load
from pipeline.pages import DEFAULT, get
from pipeline.store.snapshots import SnapshotStore
from pipeline.workflow import report as texts
from tests.report_support import ROOT, build_stores, page_output, page_store, quarantined_copy, report_cli


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return build_stores(tmp_path_factory.mktemp("stores"))


@pytest.fixture()
def quarantined(stores: dict[str, Path], tmp_path: Path) -> Path:
    return quarantined_copy(stores["baseline"], tmp_path)


# -- GitHub, through a stand-in gh on PATH ------------------------------------
FAKE_GH = """#!{python}
import json, os, sys
state_path = os.environ["FAKE_GH_STATE"]
state = json.load(open(state_path))
args = sys.argv[1:]
stdin = sys.stdin.read() if "-" in args else None
state["calls"].append({{"args": args, "stdin": stdin}})
code, out, err = 0, "", ""
texts = state.setdefault("texts", {{}})  # issue number or release tag -> its body and comments
if args[:2] == ["issue", "list"]:
    label = args[args.index("--label") + 1]
    out = "".join(f"{{n}}\\n" for n in state["open_issues"].get(label, []))
elif args[:2] == ["issue", "create"]:
    texts["7"] = [stdin]
    out = "https://github.com/o/r/issues/7\\n"
elif args[:2] == ["issue", "view"]:
    out = "\\n".join(texts.get(args[2], [""])) + "\\n"
elif args[:2] == ["issue", "comment"]:
    texts.setdefault(args[2], [""]).append(stdin)
elif args[:2] == ["release", "view"]:
    if args[2] not in state["releases"]:
        code, err = 1, "release not found\\n"
    else:
        out = "\\n".join(texts.get(args[2], [""])) + "\\n"
elif args[:2] == ["release", "create"]:
    state["releases"].append(args[2])
    texts[args[2]] = [stdin]
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
    assert create["args"][create["args"].index("--title") + 1] == texts.issue_title(load(page_store(stores["revised"])))
    report = load(page_store(stores["revised"]))
    assert create["stdin"] == f"{texts.issue_body(report)}\n{texts.marker(report)}\n"
    # a re-run of the job (the issue is open now) finds its announcement there and posts nothing
    fake = json.loads(state.read_text())
    state.write_text(json.dumps({**fake, "open_issues": {"support-change": [7]}}))
    again = report_cli(capsys, stores["revised"], "issue", "--kind", "changes")
    assert again.strip() == "issue #7 already has this announcement; nothing to do"
    assert not any(c["args"][:2] in (["issue", "comment"], ["issue", "create"]) for c in calls(state)[len(made) :])


def test_issue_gets_a_comment_when_one_is_open(quarantined: Path, capsys: pytest.CaptureFixture[str], fake_gh) -> None:
    state = fake_gh(open_issues={"pipeline-health": [12]})
    out = report_cli(capsys, quarantined, "issue", "--kind", "health", "--exit-code", "5")
    assert out.strip() == "commented on issue #12"
    comment = calls(state)[-1]
    assert comment["args"] == ["issue", "comment", "12", "--body-file", "-"]
    failed = SnapshotStore(page_store(quarantined)).entries()[-1]["validation"]["failed"]
    assert failed and all(f"- `{name}`" in comment["stdin"] for name in failed)
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
    ident = SnapshotStore(page_store(root)).entries()[-1]["id"]
    state = fake_gh(releases=["matrix-2025-04-02"])
    out = report_cli(capsys, root, "release", "--target", "f" * 40)
    tag = f"matrix-2025-04-02-{ident[:8]}"
    assert out.startswith(f"released {tag}: ")
    create = calls(state)[-1]
    args = create["args"]
    assert args[:3] == ["release", "create", tag]
    attached = [a for a in args if a.endswith((".parquet", ".json"))]
    expected = sorted(str(p) for p in (page_output(root) / "latest").glob("*.parquet"))
    if (page_output(root) / "datapackage.json").exists():
        expected.append(str(page_output(root) / "datapackage.json"))
    assert attached == expected and expected
    assert args[args.index("--target") + 1] == "f" * 40
    report = load(page_store(root))
    assert create["stdin"] == f"{texts.issue_body(report)}\n{texts.marker(report)}\n"
    # a re-run of the same job finds both tags taken and creates nothing
    again = report_cli(capsys, root, "release")
    assert "already exists" in again
    assert sum(c["args"][:2] == ["release", "create"] for c in calls(state)) == 1


def test_a_rerun_of_the_release_job_finds_its_own_release_and_creates_no_second(
    stores: dict[str, Path], capsys: pytest.CaptureFixture[str], fake_gh
) -> None:
    """The first tag free, the release made; a re-run took the tag for another revision's and made a
    second release under the fallback tag (helper-15 F2)."""
    root = stores["revised"]
    state = fake_gh()
    assert report_cli(capsys, root, "release").startswith("released matrix-2025-04-02: ")
    again = report_cli(capsys, root, "release")
    assert again.strip() == "release matrix-2025-04-02 already exists; nothing to do"
    assert json.loads(state.read_text())["releases"] == ["matrix-2025-04-02"]


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
    # one commit for every page with a store (here the containers page): its report's message, named
    subject, _, body = texts.commit_message(load(page_store(repo))).partition("\n")
    name = get(DEFAULT).display_name
    expected = f"Refresh: {name}: {subject.removeprefix('Refresh: ')}\n\n{name}\n\n{body.strip()}"
    assert message.strip() == expected.strip()
    changed = sh("git", "show", "--name-only", "--format=", "HEAD").split()
    assert changed and all(p.startswith(("snapshots/", "output/")) for p in changed)
    assert "notes.txt" in sh("git", "diff", "--cached", "--name-only")  # staged work is left alone
    assert "nothing changed" in sh(*make)
    assert sh("git", "rev-list", "--count", "HEAD").strip() == "2"
