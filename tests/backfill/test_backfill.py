"""Backfill from a real git repository built from the corpus markdown: every rendered version reads as
its truth, and the change history equals the one from replaying the served HTML revision by revision."""

from __future__ import annotations

import json
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pandas as pd
import pytest

from pipeline import backfill as bf
from pipeline._io import records
from pipeline.backfill._git import file_history
from pipeline.backfill._revisions import Version, stitch, window
from pipeline.cli import main as cli
from pipeline.diff import diff
from pipeline.diff.transient import with_transient
from pipeline.errors import UsageError
from pipeline.fetch import Fetched
from pipeline.model import Cell, Document, Footnote, Note, PageMeta, Scope, Table
from pipeline.pages import DEFAULT, get
from pipeline.run import snapshot_meta
from pipeline.schema import DATASETS
from pipeline.steps import build
from pipeline.store.snapshots import SnapshotStore
from pipeline.validate import validate
from tests.backfill_support import commit, commit_corpus, git, init
from tests.corpus import html_bytes, manifest, markdown_text, needs_corpus, truth, truth_mismatches
from tests.support import DEFAULT_URL, page_dir

NEW, OLD = get(DEFAULT).paths
# changes of the page's 2022-2024 history undone within 48 h: each pair gets one transient event
TRANSIENT_EVENTS = 172


# -- a git repository in tmp_path ------------------------------------------------------


@pytest.fixture(scope="module")
def corpus_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, dict[str, str]]]:
    """Every corpus version committed in date order, renamed like the real file; test commit -> manifest row."""
    repo = tmp_path_factory.mktemp("docs") / "azure-docs"
    return repo, commit_corpus(repo)


@pytest.fixture(scope="module")
def backfilled(corpus_repo, tmp_path_factory):
    repo, _ = corpus_repo
    snapshots = tmp_path_factory.mktemp("backfill") / "snapshots"
    opts = bf.BackfillOptions(git_repos=(repo,), snapshots=snapshots, jobs=2, progress=False)
    return bf.backfill(opts), SnapshotStore(snapshots)


# -- reading the history -----------------------------------------------------------------


@needs_corpus
def test_history_follows_the_rename_oldest_first(corpus_repo) -> None:
    repo, commits = corpus_repo
    versions = file_history(repo, get(DEFAULT).paths)
    rows = manifest()
    assert [v.commit for v in versions] == list(commits)
    assert [(v.committed_at, v.path) for v in versions] == [(r["committed_at_utc"], r["path_in_repo"]) for r in rows]
    assert all(v.text == markdown_text(r["file"][:-3]) for v, r in zip(versions, rows))
    # following the current name alone also walks back past the rename
    assert [v.commit for v in file_history(repo, [NEW])] == list(commits)


def test_deletions_and_repeated_commits(tmp_path: Path) -> None:
    repo = init(tmp_path / "repo")
    a = commit(repo, OLD, "one\n", "2022-01-01T10:00:00Z")
    b = commit(repo, NEW, "two\n", "2022-02-01T10:00:00Z", previous_path=OLD)
    c = commit(repo, NEW, "two\n", "2022-03-01T10:00:00Z")  # an empty commit: no change to the file
    git(repo, "rm", "-q", NEW)
    git(repo, "commit", "-q", "-m", "moved to another repository", when="2022-04-01T10:00:00Z")
    versions = file_history(repo, get(DEFAULT).paths)
    assert [(v.commit, v.path, v.text) for v in versions] == [(a, OLD, "one\n"), (b, NEW, "two\n")]
    assert c not in {v.commit for v in versions}
    assert versions[0].committed_at == "2022-01-01T10:00:00Z" and versions[0].repo is None
    with pytest.raises(UsageError, match="not a directory"):
        file_history(tmp_path / "missing", get(DEFAULT).paths)
    (tmp_path / "plain").mkdir()
    with pytest.raises(UsageError, match="git rev-parse failed"):
        file_history(tmp_path / "plain", get(DEFAULT).paths)


def _v(commit: str, at: str, text: str, origin: str) -> Version:
    return Version(commit, at, NEW, None, origin, text)


def test_stitch_hands_over_between_repositories_and_drops_repeats() -> None:
    old_repo = [_v("a1", "2022-01-01T00:00:00Z", "A", "old"), _v("a2", "2023-01-01T00:00:00Z", "B", "old")]
    # the move re-commits B; the stale copy left in the old repository is edited once more afterwards
    old_repo.append(_v("a3", "2023-06-01T00:00:00Z", "stale", "old"))
    new_repo = [_v("b1", "2023-03-01T00:00:00Z", "B", "new"), _v("b2", "2023-09-01T00:00:00Z", "C", "new")]
    assert [v.commit for v in stitch([new_repo, old_repo])] == ["a1", "a2", "b2"]
    # a copy that kept the whole history takes over from its first version: no interleaving
    copy = [_v("c1", "2022-01-01T00:00:00Z", "A", "copy"), _v("c2", "2024-01-01T00:00:00Z", "D", "copy")]
    assert [v.commit for v in stitch([old_repo, copy])] == ["c1", "c2"]
    assert stitch([[], []]) == []


def test_window_is_inclusive_and_checks_dates() -> None:
    versions = [_v(str(i), f"2023-0{i}-15T12:00:00Z", str(i), "r") for i in range(1, 6)]
    assert [v.commit for v in window(versions, "2023-02-15", "2023-04-15")] == ["2", "3", "4"]
    assert [v.commit for v in window(versions, "2023-04-15T12:00:01+00:00", None)] == ["5"]
    with pytest.raises(UsageError, match="not a date"):
        window(versions, "15/02/2023", None)


# -- the corpus-wide backfill ----------------------------------------------------------------


def _document(frames: dict) -> Document:
    """What the extractor saw, rebuilt from the stored datasets (what is published is what is checked)."""
    cells: dict[int, dict[int, list[dict]]] = {}
    for c in records(frames["cells"], DATASETS["cells"]):
        cells.setdefault(c["table_index"], {}).setdefault(c["row"], []).append(c)
    tables = []
    for t in records(frames["tables"], DATASETS["tables"]):
        rows = [
            sorted(cells.get(t["table_index"], {}).get(r, []), key=lambda c: c["col_index"]) for r in range(t["n_rows"])
        ]
        body = tuple(tuple(Cell(c["value"], tuple(c["footnotes"])) for c in row) for row in rows)
        scope = Scope(t["section"], t["tab"], t["subheading"])
        tables.append(Table(t["table_index"], scope, tuple(t["headers"]), (), (), body))
    footnotes = tuple(
        Footnote(f["anchor"], f["marker"], f["text"], Scope(f["section"], f["tab"]), f["table_index"])
        for f in records(frames["footnotes"], DATASETS["footnotes"])
    )
    notes = tuple(
        Note(n["kind"], n["text"], Scope(n["section"], n["tab"])) for n in records(frames["notes"], DATASETS["notes"])
    )
    return Document(PageMeta(), tuple(tables), footnotes, notes)


@needs_corpus
def test_every_version_is_snapshotted_with_git_provenance(corpus_repo, backfilled) -> None:
    _, commits = corpus_repo
    result, store = backfilled
    entries = store.entries()
    assert result.versions == len(commits) == len(entries) == result.good + result.quarantined
    # the index orders by time (two commits share a second, 2023-02-26T10:55:03Z); the backfill, by commit
    assert sorted(e["git_commit_id"] for e in entries) == sorted(commits)
    assert [e["fetched_at"] for e in entries] == sorted(r["committed_at_utc"] for r in commits.values())
    assert {e["id"] for e in entries if e["status"] == "good"} == set(result.snapshot_ids)
    assert {e["id"] for e in entries if e["status"] != "good"} == set(result.quarantined_ids)
    for entry in entries:
        row = commits[entry["git_commit_id"]]
        assert entry["provenance"] == "git"
        assert entry["fetched_at"] == entry["updated_at"] == row["committed_at_utc"]
        assert entry["ms_date"] == truth(row["file"][:-3])["ms_date"]
        assert entry["canonical_url"] == DEFAULT_URL


@needs_corpus
def test_every_rendered_version_matches_the_truth(corpus_repo, backfilled) -> None:
    _, commits = corpus_repo
    _, store = backfilled
    found = {}
    for entry in store.entries():
        stem = commits[entry["git_commit_id"]]["file"][:-3]
        found[stem] = truth_mismatches(_document(store.get(entry["id"]).frames()), truth(stem))
    assert len(found) == len(commits)
    assert {stem: errs for stem, errs in found.items() if errs} == {}


def _served(row: dict[str, str]) -> tuple[dict, dict]:
    """The page Learn served for a manifest row, through the same build (run in a worker process)."""
    body = html_bytes(row["file"][:-3])
    fetched = Fetched(row["file"], body, None, row["committed_at_utc"], None, None, None, "file")
    frames = build(body, fetched).frames
    meta = {"id": fetched.sha256[:16], "fetched_at": row["committed_at_utc"], "ms_date": frames["page"]["ms_date"][0]}
    return frames, {**meta, "git_commit_id": row["sha"]}


def _key(change: dict, names: dict[str, str]) -> tuple:
    """A change with its revision ids and commits replaced by the manifest file they stand for."""
    change = dict(change)
    for side in ("old", "new"):
        change[f"{side}_revision"] = names.get(change[f"{side}_revision"])
        change[f"{side}_git_commit_id"] = names.get(change[f"{side}_git_commit_id"])
        if change["kind"] == "transient":  # [change_id, detected_at, revision id] of each occurrence
            cid, at, revision = json.loads(change[side])
            change[side] = json.dumps([cid, at, names.get(revision)])
    return tuple(sorted(change.items()))


@needs_corpus
def test_changes_equal_the_replay_of_the_served_html(corpus_repo, backfilled) -> None:
    """The differences from the HTML replay are only names: revision ids differ because the rendered
    page is not byte-identical to the served one (chrome, scripts), and commit ids differ because this
    repository's commits are new commits of the same files at the same times. Both are mapped to the
    manifest file they stand for; every other field (change_id, kind, values, summary, ms_date,
    detected_at) must be equal, in the same order."""
    _, commits = corpus_repo
    result, store = backfilled
    rows = manifest()
    with ProcessPoolExecutor(max_workers=2) as pool:
        served = dict(zip((r["file"] for r in rows), pool.map(_served, rows)))
    names: dict[str, str] = {}
    for entry in store.entries():
        row = commits[entry["git_commit_id"]]
        names[entry["id"]] = names[entry["git_commit_id"]] = row["file"]
        names[served[row["file"]][1]["id"]] = names[row["sha"]] = row["file"]
    by_commit = {e["git_commit_id"]: e for e in store.entries()}
    expected, previous = [], None
    for sha, row in commits.items():  # commit order (the index breaks equal times by id)
        entry = by_commit[sha]
        frames, meta = served[row["file"]]
        if entry["status"] != "good":
            # quarantined from the rendered page: the served page fails validation as well
            assert not validate(frames, previous=previous[0] if previous else None).success
            continue
        if previous is not None:
            expected.append(diff(previous[0], frames, previous[1], meta))
        previous = (frames, meta)
    # the served pages flip back within 48 h as often as their sources: the same transient events
    expected = records(with_transient(None, pd.concat(expected, ignore_index=True)), DATASETS["changes"])
    got = records(result.history, DATASETS["changes"])
    assert len(got) == result.changes + result.transient
    assert result.transient == TRANSIENT_EVENTS
    assert [_key(c, names) for c in got] == [_key(c, names) for c in expected]
    stored = records(store.changes(), DATASETS["changes"])  # the cumulative history, in its own key order
    assert sorted(_key(c, names) for c in stored) == sorted(_key(c, names) for c in got)


@needs_corpus
def test_a_rerun_adds_no_snapshot_and_no_change(corpus_repo, backfilled) -> None:
    repo, _ = corpus_repo
    _, store = backfilled
    before = (store.entries(), len(store.changes()))
    since = store.entries()[-3]["fetched_at"]
    again = bf.backfill(bf.BackfillOptions(git_repos=(repo,), snapshots=store.root, since=since, progress=False))
    assert again.versions == 3
    assert (store.entries(), len(store.changes())) == before


# -- quarantine, pairing across worker runs, progress, CLI -----------------------------------


@needs_corpus
def test_a_broken_version_is_quarantined_and_the_diff_resumes_from_the_last_good(tmp_path, monkeypatch, capsys) -> None:
    rows = manifest()[145:147]  # two consecutive versions with a few support changes between them
    first, last = (markdown_text(r["file"][:-3]) for r in rows)
    repo = init(tmp_path / "repo")
    commit(repo, NEW, first, "2024-01-01T00:00:00Z")
    commit(repo, NEW, first.split("\n## ")[0] + "\nThe tables are gone.\n", "2024-01-02T00:00:00Z")
    commit(repo, NEW, last, "2024-01-03T00:00:00Z")
    monkeypatch.setattr(bf, "_CHUNK", 1)  # every version in its own worker run: pairing crosses runs
    opts = bf.BackfillOptions(git_repos=(repo,), snapshots=tmp_path / "snapshots", jobs=2, progress=True)
    result = bf.backfill(opts)
    assert (result.good, result.quarantined) == (2, 1)
    store = SnapshotStore(tmp_path / "snapshots")
    assert [e["status"] for e in store.entries()] == ["good", "quarantined", "good"]
    quarantined = store.get(result.quarantined_ids[0])
    assert quarantined.validation()["success"] is False
    assert "no tables" in " ".join(quarantined.validation()["failed"])
    good = store.good()
    expected = diff(good[0].frames(), good[1].frames(), dict(good[0].meta), dict(good[1].meta))
    assert len(expected) > 0
    assert records(result.history, DATASETS["changes"]) == records(expected, DATASETS["changes"])
    assert set(result.history["old_revision"]) <= {good[0].id}
    # the workers staged every folder; those staged for a verdict that no longer held are gone
    assert [p.name for p in (tmp_path / "snapshots").iterdir() if p.name.startswith(".tmp")] == []
    for snap in [*good, quarantined]:
        assert json.loads((snap.path / "meta.json").read_bytes()) == snap.meta
    err = capsys.readouterr().err
    assert "quarantined=1" in err and "backfill: 3 versions -> 2 good, 1 quarantined" in err


def test_cli_requires_a_source_and_checks_jobs(capsys) -> None:
    assert cli(["backfill"]) == 2
    assert "give at least one --git-repo PATH or --github OWNER/REPO" in capsys.readouterr().err
    assert cli(["backfill", "--git-repo", ".", "--jobs", "0"]) == 2
    assert "--jobs must be at least 1" in capsys.readouterr().err


@needs_corpus
def test_cli_backfills_a_window_and_publishes(corpus_repo, tmp_path, capsys) -> None:
    repo, _ = corpus_repo
    snapshots, output = tmp_path / "snapshots", tmp_path / "output"
    argv = ["backfill", "--git-repo", str(repo), "--since", "2024-12-01", "--until", "2024-12-31"]
    assert cli([*argv, "--snapshots", str(snapshots), "--output", str(output), "--no-progress"]) == 0
    dates = [r["committed_at_utc"] for r in manifest() if "2024-12-01" <= r["committed_at_utc"][:10] <= "2024-12-31"]
    assert [e["fetched_at"] for e in SnapshotStore(page_dir(snapshots)).entries()] == dates
    latest = page_dir(output) / "latest"
    assert (latest / "features.parquet").exists() and (latest / "changes.json").exists()
    assert f"backfill: {len(dates)} versions" in capsys.readouterr().err


@needs_corpus
def test_backfill_into_a_published_root_rebuilds_the_root(corpus_repo, tmp_path) -> None:
    frictionless = pytest.importorskip("frictionless", reason="frictionless is a dev extra")
    repo, _ = corpus_repo
    output = tmp_path / "output"
    sample = Path(__file__).parents[1] / "fixtures" / "learn_sample.html"
    run = ["run", "--source", str(sample), "--snapshots", str(tmp_path / "live"), "--output", str(output)]
    assert cli([*run, "--fetched-at", "2025-03-30T10:00:00Z"]) == 0  # the root lists the page's files
    argv = ["backfill", "--git-repo", str(repo), "--since", "2024-12-01", "--until", "2024-12-31", "--no-progress"]
    assert cli([*argv, "--snapshots", str(tmp_path / "history"), "--output", str(output)]) == 0
    report = frictionless.validate(output / "datapackage.json")  # ... and still does: sizes, hashes, rows
    assert report.valid, report.flatten(["resourceName", "type", "note"])[:5]


@needs_corpus
def test_a_later_window_continues_from_the_store_and_bridges_to_a_scraped_snapshot(tmp_path) -> None:
    rows = manifest()[145:148]  # three consecutive versions, with support changes between each
    repo = init(tmp_path / "repo")
    for row in rows[:2]:
        commit(repo, NEW, markdown_text(row["file"][:-3]), row["committed_at_utc"])
    snapshots = tmp_path / "snapshots"
    first = bf.backfill(bf.BackfillOptions(git_repos=(repo,), snapshots=snapshots, until=rows[0]["committed_at_utc"]))
    assert (first.versions, first.good, first.changes) == (1, 1, 0)  # a baseline
    # the daily job scraped the page a few weeks later (here: the page Learn served for the third version)
    body = html_bytes(rows[2]["file"][:-3])
    fetched = Fetched(DEFAULT_URL, body, DEFAULT_URL, "2024-02-02T06:00:00Z", 200, None, None, "fetched")
    revision = build(body, fetched)
    store = SnapshotStore(snapshots)
    store.store(page=body, meta=snapshot_meta(revision, fetched), frames=revision.frames)

    second = bf.backfill(bf.BackfillOptions(git_repos=(repo,), snapshots=snapshots, since=rows[1]["committed_at_utc"]))
    old, new, scraped = store.good()
    assert [s.meta["provenance"] for s in (old, new, scraped)] == ["git", "git", "fetched"]
    expected = [
        *records(diff(old.frames(), new.frames(), dict(old.meta), dict(new.meta)), DATASETS["changes"]),
        *records(diff(new.frames(), scraped.frames(), dict(new.meta), dict(scraped.meta)), DATASETS["changes"]),
    ]
    fields = ("change_id", "kind", "old_revision", "new_revision", "detected_at")
    got = [tuple(c[f] for f in fields) for c in records(second.history, DATASETS["changes"])]
    assert got == [tuple(c[f] for f in fields) for c in expected]
    assert {c[3] for c in got} == {new.id, scraped.id} and "2024-02-02T06:00:00Z" in {c[4] for c in got}
    assert sorted(got) == sorted(tuple(c[f] for f in fields) for c in records(store.changes(), DATASETS["changes"]))
