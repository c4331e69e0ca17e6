"""The GitHub workflows: actionlint-clean, least privilege, pinned, and running only commands that exist here."""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from pipeline.cli import _parser

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
BIN = Path(sys.executable).parent
SHA_PIN = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")
USES_LINE = re.compile(r"^\s*(?:-\s+)?uses:\s*(?P<ref>[^\s#]+)\s*(?P<comment>#.*)?$")
# every write permission, and the command (in the same job) that needs it
WRITE_NEEDS = {
    "contents": ("make commit-data", "pipeline report release"),
    "issues": ("pipeline report issue",),
    "pages": ("actions/deploy-pages",),
    "id-token": ("actions/deploy-pages",),
}
# a run: line may start with these; anything else is logic that belongs in the Makefile or the pipeline
ALLOWED_STARTS = ("make ", ".venv/bin/python -m pipeline ", "git push", 'echo "', "exit ", "status=0")


def load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if True in data:  # YAML 1.1 reads the key `on` as a boolean
        data["on"] = data.pop(True)
    return data


def wf(name: str) -> dict[str, Any]:
    return load(ROOT / ".github" / "workflows" / name)


def steps(workflow: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [(job_id, step) for job_id, job in workflow["jobs"].items() for step in job.get("steps", [])]


def run_lines(workflow: dict[str, Any]) -> list[tuple[str, str]]:
    out = []
    for job_id, step in steps(workflow):
        for line in str(step.get("run", "")).splitlines():
            if line.strip():
                out.append((job_id, line.strip()))
    return out


def job_text(job: dict[str, Any]) -> str:
    return "\n".join(str(s.get("run", "")) + " " + str(s.get("uses", "")) for s in job.get("steps", []))


# -- actionlint ---------------------------------------------------------------
def actionlint() -> str | None:
    return shutil.which("actionlint", path=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")


def test_actionlint_passes_on_every_workflow() -> None:
    exe = actionlint()
    if exe is None:
        if os.environ.get("CI"):
            pytest.fail("actionlint is not installed: `make test` installs it with `make tools`")
        pytest.skip("actionlint is not installed (run `make tools`)")
    assert WORKFLOWS, "no workflows found"
    # shellcheck next to it checks the run: scripts too
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    proc = subprocess.run(
        [exe, "-color=false", *map(str, WORKFLOWS)], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_actionlint_catches_a_broken_workflow(tmp_path: Path) -> None:
    """The lint is real: an undefined job output and an unquoted variable in a script are reported."""
    exe = actionlint()
    if exe is None:
        pytest.skip("actionlint is not installed (run `make tools`)")
    text = (ROOT / ".github" / "workflows" / "refresh.yml").read_text(encoding="utf-8")
    broken = text.replace("needs.publish.outputs.changed", "needs.publish.outputs.chnaged").replace(
        '>> "$GITHUB_OUTPUT"', ">> $GITHUB_OUTPUT"
    )
    assert broken != text
    (tmp_path / "refresh.yml").write_text(broken, encoding="utf-8")
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    proc = subprocess.run(
        [exe, "-color=false", "refresh.yml"], cwd=tmp_path, env=env, capture_output=True, text=True, check=False
    )
    assert proc.returncode == 1
    assert 'property "chnaged" is not defined' in proc.stdout
    if shutil.which("shellcheck", path=env["PATH"]):
        assert "SC2086" in proc.stdout


# -- properties of every workflow -----------------------------------------------
@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_action_is_pinned_to_a_commit_with_its_version(path: Path) -> None:
    uses = [m for line in path.read_text(encoding="utf-8").splitlines() if (m := USES_LINE.match(line))]
    assert uses, f"{path.name} uses no action"
    assert len(uses) == sum("uses" in step for _, step in steps(load(path))), "a uses: line was not recognised"
    for m in uses:
        assert SHA_PIN.match(m["ref"]), f"{m['ref']} is not pinned to a full commit SHA"
        assert m["comment"] and re.search(r"#\s*v\d+(\.\d+)*\b", m["comment"]), f"{m['ref']} has no version comment"


def test_one_sha_per_action_across_workflows() -> None:
    pins: dict[str, set[str]] = {}
    for path in WORKFLOWS:
        for line in path.read_text(encoding="utf-8").splitlines():
            if m := USES_LINE.match(line):
                action, sha = m["ref"].split("@")
                pins.setdefault(action, set()).add(f"{sha}{m['comment']}")
    assert pins and all(len(v) == 1 for v in pins.values()), pins


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_least_privilege_and_timeouts(path: Path) -> None:
    workflow = load(path)
    assert workflow["permissions"] == {}, "top-level permissions must be empty: jobs ask for what they need"
    for job_id, job in workflow["jobs"].items():
        assert isinstance(job.get("timeout-minutes"), int) and 0 < job["timeout-minutes"] <= 60, job_id
        perms = job.get("permissions")
        assert isinstance(perms, dict), f"{job_id} must declare its permissions"
        assert set(perms.values()) <= {"read", "write"}, job_id
        text = job_text(job)
        for scope, level in perms.items():
            if level == "write":
                needed = WRITE_NEEDS.get(scope, ())
                assert any(n in text for n in needed), f"{job_id} asks {scope}: write without needing it"
        for scope, needed in WRITE_NEEDS.items():
            if any(n in text for n in needed) and scope != "contents":
                assert perms.get(scope) == "write", f"{job_id} needs {scope}: write"


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_python_comes_from_python_version_with_a_pip_cache(path: Path) -> None:
    setups = [s for _, s in steps(load(path)) if str(s.get("uses", "")).startswith("actions/setup-python@")]
    for step in setups:
        assert step["with"] == {
            "python-version-file": ".python-version",
            "cache": "pip",
            "cache-dependency-path": "pyproject.toml",
        }
    assert (ROOT / ".python-version").read_text().strip()


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_no_logic_hidden_in_yaml(path: Path) -> None:
    for job_id, line in run_lines(load(path)):
        assert line.startswith(ALLOWED_STARTS), f"{job_id}: `{line}` belongs in the Makefile or a pipeline command"


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_jobs_set_up_with_make_before_running_the_pipeline(path: Path) -> None:
    for job_id, job in load(path)["jobs"].items():
        runs = [str(s.get("run", "")) for s in job.get("steps", [])]
        uses_venv = [i for i, r in enumerate(runs) if ".venv/bin/python" in r]
        if uses_venv:
            setup = [i for i, r in enumerate(runs) if r.strip() in ("make setup", "make test")]
            assert setup and setup[0] < uses_venv[0], f"{job_id} runs the pipeline before `make setup`"


# -- the commands the workflows run exist -----------------------------------------
def makefile_targets() -> set[str]:
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    return {m for m in re.findall(r"^([A-Za-z][\w.-]*)\s*:(?!=)", text, flags=re.M)}


def expand(line: str) -> list[str]:
    """A run: line as argv, with its shell variables given plausible values."""
    line = line.replace("${FORCE:+--force}", "--force").replace('${ACCEPT:+--accept "$ACCEPT"}', "--accept value")
    line = re.sub(r'"?\$\{?(RUN_STATUS)\}?"?', "5", line)
    line = re.sub(r'"\$\{?[A-Z_]+\}?([^"\s]*)"', r"value\1", line)  # "$RUNNER_TEMP/pages" -> value/pages
    line = re.sub(r"\$\{?[A-Z_]+\}?", "value", line)
    argv = shlex.split(line.split("||")[0].split(">>")[0])
    return argv


def all_run_lines() -> list[tuple[str, str]]:
    return [(p.name, line) for p in WORKFLOWS for _, line in run_lines(load(p))]


def test_every_make_target_exists() -> None:
    targets = makefile_targets()
    used = [expand(line) for _, line in all_run_lines() if line.startswith("make ")]
    assert used
    for argv in used:
        names = [a for a in argv[1:] if not a.startswith("-") and "=" not in a]
        assert names and set(names) <= targets, f"{argv}: not a Makefile target"


def test_every_pipeline_command_exists_with_its_options(capsys: pytest.CaptureFixture[str]) -> None:
    used = [expand(line)[3:] for _, line in all_run_lines() if line.startswith(".venv/bin/python -m pipeline ")]
    assert len(used) >= 5
    parser = _parser()
    without_page = set()
    for argv in used:
        if "--page" in argv and not _takes_page(parser, argv):
            # issue 16 item 4 adds --page to every command; until then the rest of the line must parse
            without_page.add(" ".join(a for a in argv if not a.startswith("-") and a != "value")[:40])
            i = argv.index("--page")
            argv = argv[:i] + argv[i + 2 :]
        try:
            args = parser.parse_args(argv)
        except SystemExit as exc:  # argparse rejects an unknown command or option
            pytest.fail(f"`python -m pipeline {' '.join(argv)}` does not parse: {exc} {capsys.readouterr().err}")
        assert callable(args.func)
    # and each sub-command answers --help from a fresh interpreter, like the runner calls it
    for command in sorted({tuple(a for a in argv if not a.startswith("-") and a != "value")[:2] for argv in used}):
        proc = subprocess.run(
            [sys.executable, "-m", "pipeline", *command, "--help"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        assert proc.returncode == 0 and "usage:" in proc.stdout, (command, proc.stderr)
    if without_page:
        pytest.skip(f"these commands do not take --page yet (issue 16 item 4): {', '.join(sorted(without_page))}")


def _takes_page(parser: argparse.ArgumentParser, argv: list[str]) -> bool:
    import contextlib
    import io

    with contextlib.redirect_stderr(io.StringIO()):
        try:
            parser.parse_args(argv)
        except SystemExit:
            return False
    return True


# -- refresh.yml ----------------------------------------------------------------------
def test_refresh_runs_daily_at_an_odd_minute_and_by_hand_with_force() -> None:
    on = wf("refresh.yml")["on"]
    (cron,) = [s["cron"] for s in on["schedule"]]
    minute, hour, day, month, weekday = cron.split()
    assert minute.isdigit() and int(minute) % 5 != 0, "the top of the hour and round minutes are the busiest"
    assert hour.isdigit() and (day, month, weekday) == ("*", "*", "*")
    force = on["workflow_dispatch"]["inputs"]["force"]
    assert force["type"] == "boolean" and force["default"] is False


def test_refresh_never_overlaps() -> None:
    concurrency = wf("refresh.yml")["concurrency"]
    assert concurrency["group"] and concurrency["cancel-in-progress"] is False


def test_the_matrix_is_generated_from_the_page_specs(capsys: pytest.CaptureFixture[str]) -> None:
    jobs = wf("refresh.yml")["jobs"]
    (step,) = [s for s in jobs["pages"]["steps"] if "pipeline pages" in str(s.get("run", ""))]
    assert step["run"] == '.venv/bin/python -m pipeline pages --github-output >> "$GITHUB_OUTPUT"'
    assert jobs["pages"]["outputs"]["slugs"] == "${{ steps." + step["id"] + ".outputs.slugs }}"
    refresh = jobs["refresh"]
    assert refresh["needs"] == "pages"
    assert refresh["strategy"]["fail-fast"] is False
    assert refresh["strategy"]["matrix"] == {"page": "${{ fromJSON(needs.pages.outputs.slugs) }}"}
    # what the command prints is what the matrix reads: one JSON list of every spec's slug
    from pipeline import pages
    from pipeline.cli import main

    assert main(["pages", "--github-output"]) == 0
    printed = dict(line.split("=", 1) for line in capsys.readouterr().out.splitlines())
    assert json.loads(printed["slugs"]) == list(pages.slugs())


def test_each_page_runs_alone_under_its_own_concurrency_group_and_never_pushes() -> None:
    refresh = wf("refresh.yml")["jobs"]["refresh"]
    assert refresh["concurrency"] == {"group": "refresh-${{ matrix.page }}", "cancel-in-progress": False}
    assert refresh["permissions"] == {"contents": "read"}
    text = job_text(refresh)
    assert "git push" not in text and "make commit-data" not in text
    assert refresh["env"]["PAGE"] == "${{ matrix.page }}"
    lines = [line for line in text.splitlines() if "-m pipeline " in line]
    assert lines and all('--page "$PAGE"' in line for line in lines), lines


def test_page_jobs_run_live_with_force_and_alert_secrets_and_upload_what_the_publish_job_downloads() -> None:
    jobs = wf("refresh.yml")["jobs"]
    job = jobs["refresh"]
    runs = [str(s.get("run", "")) for s in job["steps"]]
    assert runs.index("make setup") < next(i for i, r in enumerate(runs) if "pipeline run --page" in r)
    (run_step,) = [s for s in job["steps"] if "pipeline run" in str(s.get("run", ""))]
    assert "--require-live" in run_step["run"]
    assert "${FORCE:+--force}" in run_step["run"] and "inputs.force" in run_step["env"]["FORCE"]
    assert "inputs.page == matrix.page" in run_step["env"]["ACCEPT"]  # an accept id is one page's
    for name in ("SUPPORTMATRIX_ALERT_URLS", "SUPPORTMATRIX_HEALTH_URLS"):
        assert run_step["env"][name] == "${{ secrets." + name + " }}"
    uploads = [s for s in job["steps"] if str(s.get("uses", "")).startswith("actions/upload-artifact@")]
    names = {s["with"]["name"].split("-$")[0]: s["with"]["path"] for s in uploads}
    assert names == {
        "snapshots": "snapshots/${{ matrix.page }}",
        "output": "output/${{ matrix.page }}",
        "outcome": "${{ runner.temp }}/outcome.env",
    }
    assert all(s["with"]["name"].endswith("-${{ matrix.page }}") and "always()" in s["if"] for s in uploads)
    downloads = [s for s in jobs["publish"]["steps"] if str(s.get("uses", "")).startswith("actions/download-")]
    assert sorted(s["with"]["pattern"] for s in downloads) == ["outcome-*", "output-*", "snapshots-*"]
    summary = [s for s in job["steps"] if "GITHUB_STEP_SUMMARY" in str(s.get("run", ""))]
    assert summary and "pipeline report step-summary" in summary[0]["run"] and "always()" in summary[0]["if"]
    # the job fails when the run failed, after uploading and summarising
    assert "exit" in runs[-1] and job["steps"][-1]["if"] == "steps.run.outputs.status != '0'"


def test_one_publish_job_rebuilds_the_catalogue_commits_once_as_the_bot_and_pushes() -> None:
    jobs = wf("refresh.yml")["jobs"]
    pushing = [j for j, job in jobs.items() if "git push" in job_text(job)]
    assert pushing == ["publish"]
    publish = jobs["publish"]
    assert publish["needs"] == ["pages", "refresh"] and publish["if"].startswith("always()")
    runs = [str(s.get("run", "")) for s in publish["steps"]]
    order = ["make unpack-pages", "pipeline catalogue --output output", "make commit-data"]
    at = [next(i for i, r in enumerate(runs) if o in r) for o in order]
    assert at == sorted(at)
    assert next(i for i, r in enumerate(runs) if "pipeline pages --github-output --outcomes" in r) < at[0]
    (commit,) = [s for s in publish["steps"] if "make commit-data" in str(s.get("run", ""))]
    bot = "41898282+github-actions[bot]@users.noreply.github.com"
    assert commit["env"]["GIT_AUTHOR_EMAIL"] == commit["env"]["GIT_COMMITTER_EMAIL"] == bot
    assert commit["env"]["GIT_AUTHOR_NAME"] == commit["env"]["GIT_COMMITTER_NAME"] == "github-actions[bot]"
    assert "git push" in commit["run"]
    assert {"sha", "changed", "health"} <= set(publish["outputs"])


def test_secrets_only_reach_the_step_that_sends_alerts() -> None:
    text = (ROOT / ".github" / "workflows" / "refresh.yml").read_text(encoding="utf-8")
    assert text.count("secrets.") == 2


def test_refresh_deploys_pages_releases_and_opens_issues_per_changed_page_in_their_own_jobs() -> None:
    jobs = wf("refresh.yml")["jobs"]
    deploy = jobs["deploy"]
    assert deploy["environment"]["name"] == "github-pages"
    uploads = [s for s in deploy["steps"] if str(s.get("uses", "")).startswith("actions/upload-pages-artifact@")]
    assert uploads and uploads[0]["with"]["path"] == "output"
    for name in ("release", "issue"):
        assert jobs[name]["if"].endswith("needs.publish.outputs.changed != '[]'")  # an empty matrix fails
        assert jobs[name]["strategy"]["matrix"]["page"] == "${{ fromJSON(needs.publish.outputs.changed) }}"
    assert "pipeline report release --page" in job_text(jobs["release"])
    assert 'report issue --page "$PAGE" --kind changes' in job_text(jobs["issue"])
    health = jobs["health"]
    assert health["if"].startswith("always() && ") and "needs.publish.outputs.health != '[]'" in health["if"]
    assert health["strategy"]["matrix"]["include"] == "${{ fromJSON(needs.publish.outputs.health) }}"
    assert "--kind health" in job_text(health)
    for name in ("deploy", "release", "issue", "health"):
        assert jobs[name]["needs"] == "publish"
        checkout = jobs[name]["steps"][0]
        assert "needs.publish.outputs.sha" in checkout["with"]["ref"]  # the commit just pushed
        assert checkout["with"]["persist-credentials"] is False


def test_the_publish_job_outputs_are_the_keys_pages_prints(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from pipeline.cli import main

    publish = wf("refresh.yml")["jobs"]["publish"]
    (step,) = [s for s in publish["steps"] if "--outcomes" in str(s.get("run", ""))]
    assert main(["pages", "--github-output", "--outcomes", str(tmp_path)]) == 0
    printed = {line.split("=", 1)[0] for line in capsys.readouterr().out.splitlines()}
    for name in ("changed", "health"):
        assert publish["outputs"][name] == "${{ steps." + step["id"] + ".outputs." + name + " }}"
        assert name in printed


# -- ci.yml and dependabot ----------------------------------------------------------------
def test_ci_runs_make_test_on_push_and_pull_request() -> None:
    ci = wf("ci.yml")
    assert {"push", "pull_request"} <= set(ci["on"])
    assert [line for _, line in run_lines(ci)] == ["make test"]
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_make_test_installs_and_runs_the_workflow_linter() -> None:
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^test:.*\btools\b", text, flags=re.M)
    assert re.search(r"^tools:.*\.installed-tools", text, flags=re.M)
    reqs = (ROOT / "requirements-tools.txt").read_text(encoding="utf-8")
    assert re.search(r"^actionlint-\S+==\S+$", reqs, flags=re.M) and re.search(r"^--only-binary ", reqs, flags=re.M)


def test_dependabot_updates_pip_and_actions_weekly() -> None:
    config = yaml.safe_load((ROOT / ".github" / "dependabot.yml").read_text(encoding="utf-8"))
    assert config["version"] == 2
    ecosystems = {u["package-ecosystem"]: u for u in config["updates"]}
    assert set(ecosystems) == {"pip", "github-actions"}
    for update in ecosystems.values():
        assert update["directory"] == "/" and update["schedule"]["interval"] == "weekly"
