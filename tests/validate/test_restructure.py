"""Issue #12: a restructured page is told from a broken one by its own authored source.

A real git repository holds the article in two shapes (old: one H2 per environment; new: one H2 per
capability with environment tabs); the pages are rendered from those commits, so their meta names
the commit and path, as Learn's do."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import signal
from pathlib import Path

import pytest

from pipeline.accept import AcceptOptions, accept
from pipeline.alerts._state import load as load_alert_state
from pipeline.errors import ValidationFailed
from pipeline.run import RunOptions, run
from pipeline.store.recovery import repair
from pipeline.store.snapshots import SnapshotStore
from tests.alerts_support import Hook
from tests.backfill_support import commit, init
from tests.crash_support import in_child
from tests.restructure_support import PATH, learn_page, new_shape, old_shape
from tests.support import page_dir


@pytest.fixture
def repo(tmp_path: Path) -> dict[str, object]:
    clone = init(tmp_path / "docs")
    old = commit(clone, PATH, old_shape(), "2025-01-15T10:00:00Z")
    new = commit(clone, PATH, new_shape(), "2025-02-26T10:00:00Z")
    return {"clone": clone, "old": old, "new": new}


def _page(tmp_path: Path, name: str, body: bytes) -> Path:
    path = tmp_path / f"{name}.html"
    path.write_bytes(body)
    return path


def _run(tmp_path: Path, page: Path, when: str, clone: Path | None = None) -> None:
    run(
        RunOptions(
            source=str(page),
            snapshots=tmp_path / "snapshots",
            output=tmp_path / "output",
            fetched_at=when,
            source_repo=clone,
        )
    )


def _baseline(tmp_path: Path, repo: dict[str, object]) -> None:
    old = _page(tmp_path, "old", learn_page(old_shape(), str(repo["old"]), "2025-01-15T10:00:00Z"))
    _run(tmp_path, old, "2025-01-16T06:17:00Z")


def _history(tmp_path: Path) -> list[dict]:
    return json.loads((tmp_path / "snapshots" / "changes.json").read_text(encoding="utf-8"))


def test_run_with_the_source_repo_publishes_the_restructure_and_records_it(
    tmp_path: Path, repo: dict[str, object]
) -> None:
    _baseline(tmp_path, repo)
    new = _page(tmp_path, "new", learn_page(new_shape(), str(repo["new"])))
    _run(tmp_path, new, "2025-02-27T06:17:00Z", clone=Path(str(repo["clone"])))
    store = SnapshotStore(tmp_path / "snapshots")
    latest = store.latest_good()
    assert latest is not None and latest.meta["git_commit_id"] == repo["new"]
    validation = latest.validation() or {}
    assert validation["outcome"] == "restructured" and validation["failure_kind"] == "drift"
    assert validation["source_agreement"]["status"] == "agrees"
    assert validation["source_agreement"]["agreement"]["feature_support"] == 1.0
    history = _history(tmp_path)
    [event] = [r for r in history if r["kind"] == "restructured"]
    assert event["dataset"] == "page"
    assert "Vulnerability assessment" in event["new"] and "Azure" in event["old"]
    assert "67% of feature_support rows kept" in event["summary"]
    # feature keys survive the move: only the retired legacy features are removed, nothing is "added"
    support = [r for r in history if r["dataset"] == "feature_support"]
    assert {r["kind"] for r in support} == {"removed"}
    assert all(r["feature"].startswith("Legacy") for r in support)
    published = json.loads((tmp_path / "output" / "latest" / "page.json").read_text(encoding="utf-8"))
    assert published[0]["git_commit_id"] == repo["new"]


def test_without_the_source_it_is_quarantined_as_an_unconfirmed_restructure_and_accept_publishes_it(
    tmp_path: Path, repo: dict[str, object], monkeypatch: pytest.MonkeyPatch
) -> None:
    _baseline(tmp_path, repo)
    before = (tmp_path / "output" / "latest" / "page.json").read_bytes()
    new = _page(tmp_path, "new", learn_page(new_shape(), str(repo["new"])))
    with pytest.raises(ValidationFailed, match=r"unconfirmed restructure \(source unreachable"):
        _run(tmp_path, new, "2025-02-27T06:17:00Z")
    assert (tmp_path / "output" / "latest" / "page.json").read_bytes() == before
    store = SnapshotStore(tmp_path / "snapshots")
    [held] = [e for e in store.entries() if e["status"] == "quarantined"]
    assert held["failure_kind"] == "drift"
    monkeypatch.setenv("SUPPORTMATRIX_ACCEPTED_BY", "octocat")
    result = accept(AcceptOptions(held["id"][:8], tmp_path / "snapshots", tmp_path / "output"))
    assert result.snapshot_id == held["id"]
    latest = SnapshotStore(tmp_path / "snapshots").latest_good()
    assert latest is not None and latest.id == held["id"]
    assert (latest.validation() or {})["accepted"]["by"] == "octocat"
    [event] = [r for r in _history(tmp_path) if r["kind"] == "accepted"]
    assert "octocat" in event["summary"] and event["new_revision"] == held["id"]
    published = json.loads((tmp_path / "output" / "latest" / "page.json").read_text(encoding="utf-8"))
    assert published[0]["git_commit_id"] == repo["new"]
    # the accepted event is a kind the published contract declares: a client's validator accepts it
    frictionless = pytest.importorskip("frictionless", reason="frictionless is a dev extra")
    report = frictionless.validate(tmp_path / "output" / "datapackage.json")
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def _accept_killed_at(
    tmp_path: Path, repo: dict[str, object], monkeypatch: pytest.MonkeyPatch, step: str
) -> tuple[Path, dict[str, object], AcceptOptions]:
    """The new shape quarantined (no source to confirm it), then an accept of it SIGKILLed at ``step``:
    (the new page, the held snapshot's entry, the accept's options)."""
    _baseline(tmp_path, repo)
    new = _page(tmp_path, "new", learn_page(new_shape(), str(repo["new"])))
    with pytest.raises(ValidationFailed):
        _run(tmp_path, new, "2025-02-27T06:17:00Z")
    [held] = [e for e in SnapshotStore(tmp_path / "snapshots").entries() if e["status"] == "quarantined"]
    monkeypatch.setenv("SUPPORTMATRIX_ACCEPTED_BY", "octocat")
    options = AcceptOptions(str(held["id"]), tmp_path / "snapshots", tmp_path / "output")
    assert in_child(lambda: accept(options), kill_at=step) == -signal.SIGKILL
    return new, held, options


@pytest.mark.parametrize("then", ["the next run", "accept again"])
@pytest.mark.parametrize("step", ["logged", "recorded", "held", "committed"])
def test_an_accept_killed_after_logging_its_move_is_finished_with_the_verdict_and_the_accepted_record(
    tmp_path: Path, repo: dict[str, object], monkeypatch: pytest.MonkeyPatch, step: str, then: str
) -> None:
    # the verdict goes into the journal with the move: a roll forward must not release the page with its
    # failed validation, nor record the change without the "accepted" event (found in #14's review)
    new, held, options = _accept_killed_at(tmp_path, repo, monkeypatch, step)
    if then == "the next run":
        _run(tmp_path, new, "2025-02-28T06:17:00Z")  # the next daily run finds the move and finishes it
    else:  # the person retries: the move is finished, output/ rebuilt, and the retry succeeds
        monkeypatch.setenv("SUPPORTMATRIX_ACCEPTED_BY", "someone else")
        result = accept(options)
        assert result.snapshot_id == held["id"]
        assert any(line.startswith("accepted already: ") and "octocat" in line for line in result.messages)
    latest = SnapshotStore(tmp_path / "snapshots").latest_good()
    assert latest is not None and latest.id == held["id"]
    validation = latest.validation() or {}
    assert validation["success"] is True and validation["outcome"] == "accepted"
    assert validation["accepted"]["by"] == "octocat"
    history = _history(tmp_path)
    assert [r["kind"] for r in history if r["dataset"] == "page"] == ["accepted"]
    assert len({r["change_id"] for r in history}) == len(history)  # recorded once
    published = json.loads((tmp_path / "output" / "latest" / "page.json").read_text(encoding="utf-8"))
    assert published[0]["git_commit_id"] == repo["new"]


@pytest.mark.parametrize("damage", ["verdict stripped", "line garbled"])
@pytest.mark.parametrize("step", ["logged", "recorded", "held"])
def test_a_logged_move_to_a_quarantined_snapshot_without_a_verdict_is_never_finished(
    tmp_path: Path, repo: dict[str, object], monkeypatch: pytest.MonkeyPatch, step: str, damage: str
) -> None:
    # the journal line lost its verdict (damaged, or written by an accept older than the verdict in the
    # log) or is no JSON at all: the roll forward must not release the page with its failed validation,
    # and what the killed accept recorded (and held for alerting) is dropped from the history (found by
    # independent attacks on #14's accept fix)
    new, held, options = _accept_killed_at(tmp_path, repo, monkeypatch, step)
    log = tmp_path / "snapshots" / "journal.jsonl"
    *kept, last = log.read_bytes().splitlines()
    line = json.loads(last)
    line.pop("accepted")
    replaced = b'{"at": "2025-02-27T0\x00\xff garbage' if damage == "line garbled" else json.dumps(line).encode()
    log.write_bytes(b"".join(k + b"\n" for k in kept) + replaced + b"\n")
    if damage == "line garbled":  # a run killed after cleaning the history, before setting the line aside
        assert in_child(lambda: _run(tmp_path, new, "2025-02-27T12:00:00Z"), kill_at="purged") == -signal.SIGKILL
    with pytest.raises(ValidationFailed):  # the same page, still unconfirmed: quarantined again
        _run(tmp_path, new, "2025-02-28T06:17:00Z")
    store = SnapshotStore(tmp_path / "snapshots")
    assert store.get(str(held["id"])).status == "quarantined"
    assert all(r["new_revision"] != held["id"] for r in _history(tmp_path))
    assert load_alert_state(tmp_path / "snapshots").pending == {}  # nothing false left to announce
    if damage == "line garbled":  # kept aside, so later runs do not meet it again
        assert (tmp_path / "snapshots" / "journal.jsonl.damaged").read_bytes() == replaced + b"\n"
        assert replaced not in log.read_bytes()
    accept(options)  # the person accepts again: published once, with one accepted record
    assert [r["kind"] for r in _history(tmp_path) if r["dataset"] == "page"] == ["accepted"]
    latest = SnapshotStore(tmp_path / "snapshots").latest_good()
    assert latest is not None and latest.id == held["id"]


def test_repair_finishing_a_killed_accept_holds_its_changes_for_alerting(
    tmp_path: Path, repo: dict[str, object], monkeypatch: pytest.MonkeyPatch, hook: Hook
) -> None:
    # repair finished the move without holding its changes: the retried accept then had nothing to send,
    # and the change alert was lost (found by an attack on #14's accept retry)
    from pipeline.cli import main

    _accept_killed_at(tmp_path, repo, monkeypatch, "recorded")
    root = tmp_path / "roots"
    root.mkdir()
    store = (tmp_path / "snapshots").rename(page_dir(root))
    assert load_alert_state(store).pending == {}  # killed before holding
    assert main(["repair", "--snapshots", str(root)]) == 0
    assert load_alert_state(store).pending  # held, so the next run or accept announces them


def test_an_accepted_page_fetched_again_into_a_missing_output_keeps_its_verdict(
    tmp_path: Path, repo: dict[str, object], monkeypatch: pytest.MonkeyPatch
) -> None:
    # a page failing a validity check (another article's title) is accepted; output/ is then lost (or the
    # accept was killed before publishing) and the daily run fetches the same bytes: it must publish them
    # with the person's verdict, not validate again, fail and quarantine an accepted page (exit 5; found by
    # an attack on #14's accept retry)
    _baseline(tmp_path, repo)
    other = _page(tmp_path, "other", learn_page(_another_article(old_shape()), str(repo["old"])))
    with pytest.raises(ValidationFailed):
        _run(tmp_path, other, "2025-02-27T06:17:00Z")
    [held] = [e for e in SnapshotStore(tmp_path / "snapshots").entries() if e["status"] == "quarantined"]
    monkeypatch.setenv("SUPPORTMATRIX_ACCEPTED_BY", "octocat")
    accept(AcceptOptions(str(held["id"]), tmp_path / "snapshots", tmp_path / "output"))
    shutil.rmtree(tmp_path / "output")
    _run(tmp_path, other, "2025-02-28T06:17:00Z")  # no ValidationFailed
    latest = SnapshotStore(tmp_path / "snapshots").latest_good()
    assert latest is not None and latest.id == held["id"]
    assert (latest.validation() or {})["accepted"]["by"] == "octocat"
    published = json.loads((tmp_path / "output" / "latest" / "page.json").read_text(encoding="utf-8"))
    assert published[0]["sha256"] == latest.sha256


def test_accept_refuses_a_good_snapshot(tmp_path: Path, repo: dict[str, object]) -> None:
    from pipeline.errors import UsageError

    _baseline(tmp_path, repo)
    good = SnapshotStore(tmp_path / "snapshots").latest_good()
    assert good is not None
    with pytest.raises(UsageError, match="not quarantined"):
        accept(AcceptOptions(good.id, tmp_path / "snapshots", tmp_path / "output"))


def test_accept_refuses_a_held_page_the_page_has_moved_on_from(tmp_path: Path, repo: dict[str, object]) -> None:
    # the new shape is held, then the page flips back to the old one (as the real page did for weeks in
    # 2025): accepting the held one now would diff the page as it is against an older one, record changes
    # back in time and publish older data (found by an attack on #14's accept)
    from pipeline.errors import UsageError

    _baseline(tmp_path, repo)
    old = tmp_path / "old.html"
    new = _page(tmp_path, "new", learn_page(new_shape(), str(repo["new"])))
    with pytest.raises(ValidationFailed):
        _run(tmp_path, new, "2025-02-27T06:17:00Z")
    _run(tmp_path, old, "2025-02-28T06:17:00Z")
    before = {p.name: p.read_bytes() for p in (tmp_path / "output" / "latest").iterdir()}
    history = _history(tmp_path)
    [held] = [e for e in SnapshotStore(tmp_path / "snapshots").entries() if e["status"] == "quarantined"]
    options = AcceptOptions(str(held["id"]), tmp_path / "snapshots", tmp_path / "output")
    with pytest.raises(UsageError, match=r"before the page as it is now .*accept it when a run sees it again"):
        accept(options)
    assert _history(tmp_path) == history
    assert {p.name: p.read_bytes() for p in (tmp_path / "output" / "latest").iterdir()} == before
    # the page shows the held shape again: it is held again, seen last, and accepting it now publishes it
    with pytest.raises(ValidationFailed):
        _run(tmp_path, new, "2025-03-01T06:17:00Z")
    assert accept(options).snapshot_id == held["id"]
    latest = SnapshotStore(tmp_path / "snapshots").latest_good()
    assert latest is not None and latest.id == held["id"]
    # dated when the page was seen as the held one again, not at its first fetch: on 02-28 the page was
    # the old one, so a change dated 02-27 would be false (found by an attack on this fix)
    accepted = _history(tmp_path)[len(history) :]
    assert accepted and {c["detected_at"] for c in accepted} == {"2025-03-01T06:17:00Z"}
    written = _history(tmp_path)
    repair(SnapshotStore(tmp_path / "snapshots"))  # the move's log line carries the date: a rebuild agrees
    assert _history(tmp_path) == written


@pytest.mark.parametrize("judged", ["accepted", "restructured"])
def test_a_judged_page_coming_back_after_a_flap_keeps_its_verdict_and_records_the_change(
    tmp_path: Path, repo: dict[str, object], judged: str
) -> None:
    # the new shape is judged good (a person's accept, or confirmed by the source), the page flips back to
    # the old shape, then shows the new one again with no source today: validating again failed its drift
    # against the old page every run and the change back was never recorded (found by an attack)
    _baseline(tmp_path, repo)
    old = tmp_path / "old.html"
    new = _page(tmp_path, "new", learn_page(new_shape(), str(repo["new"])))
    if judged == "accepted":
        with pytest.raises(ValidationFailed):
            _run(tmp_path, new, "2025-02-27T06:17:00Z")
        [held] = [e for e in SnapshotStore(tmp_path / "snapshots").entries() if e["status"] == "quarantined"]
        accept(AcceptOptions(str(held["id"]), tmp_path / "snapshots", tmp_path / "output"))
    else:
        _run(tmp_path, new, "2025-02-27T06:17:00Z", clone=Path(str(repo["clone"])))
    _run(tmp_path, old, "2025-02-28T06:17:00Z")
    _run(tmp_path, new, "2025-03-01T06:17:00Z")  # no ValidationFailed
    store = SnapshotStore(tmp_path / "snapshots")
    latest = store.latest_good()
    assert latest is not None and latest.sha256 == hashlib.sha256(new.read_bytes()).hexdigest()
    assert (latest.validation() or {})["outcome"] == judged
    back = [r for r in _history(tmp_path) if r["detected_at"] == "2025-03-01T06:17:00Z"]
    assert back and all(r["new_revision"] == latest.id for r in back)
    published = json.loads((tmp_path / "output" / "latest" / "page.json").read_text(encoding="utf-8"))
    assert published[0]["sha256"] == latest.sha256


def _cut_sections(markdown: str) -> str:
    """Half the capability sections gone, as a partial page would be."""
    start, end = markdown.index("## Runtime threat protection"), markdown.index("## Registries and images")
    return markdown[:start] + markdown[end:]


def _another_article(markdown: str) -> str:
    return markdown.replace("Containers support matrix", "Servers support matrix")


@pytest.mark.parametrize(
    ("case", "kind"),
    [
        ("one tab panel dropped", "drift"),
        ("half the sections cut", "validity"),  # 12 feature_support rows: under the row bounds too
        ("another article", "validity"),
    ],
)
def test_a_broken_page_is_never_published_even_with_its_source_at_hand(
    tmp_path: Path, repo: dict[str, object], case: str, kind: str
) -> None:
    clone = Path(str(repo["clone"]))
    # the good new shape first, confirmed, so the broken pages are compared with it
    _baseline(tmp_path, repo)
    _run(tmp_path, _page(tmp_path, "new", learn_page(new_shape(), str(repo["new"]))), "2025-02-27T06:17:00Z", clone)
    broken = {
        "one tab panel dropped": new_shape(drop_tab=("Runtime threat protection", "GCP")),
        "half the sections cut": _cut_sections(new_shape()),
        "another article": _another_article(new_shape()),
    }[case]
    page = _page(tmp_path, "broken", learn_page(broken, str(repo["new"])))
    before = (tmp_path / "output" / "latest" / "page.json").read_bytes()
    with pytest.raises(ValidationFailed) as raised:
        _run(tmp_path, page, "2025-02-28T06:17:00Z", clone)
    assert (tmp_path / "output" / "latest" / "page.json").read_bytes() == before
    [held] = [e for e in SnapshotStore(tmp_path / "snapshots").entries() if e["status"] == "quarantined"]
    assert held["failure_kind"] == kind
    if kind == "drift":
        assert held["source_agreement"]["status"] == "disagrees"
        assert held["source_agreement"]["minimum"] < 0.99
        assert "unconfirmed restructure (source disagrees" in str(raised.value)
    else:
        assert "source_agreement" not in held  # a validity failure is final: the source is not asked
        assert re.search(r"validity failure", str(raised.value))


def test_every_published_run_records_its_source_agreement(tmp_path: Path, repo: dict[str, object]) -> None:
    old = _page(tmp_path, "old", learn_page(old_shape(), str(repo["old"]), "2025-01-15T10:00:00Z"))
    _run(tmp_path, old, "2025-01-16T06:17:00Z", clone=Path(str(repo["clone"])))
    latest = SnapshotStore(tmp_path / "snapshots").latest_good()
    assert latest is not None
    assert latest.meta["outcome"] == "passed"
    assert latest.meta["source_agreement"]["status"] == "agrees"
    assert set(latest.meta["source_agreement"]["agreement"].values()) == {1.0}


def test_backfill_accepts_a_drift_only_failure_as_restructured_and_keeps_validity_failures_out(tmp_path: Path) -> None:
    from pipeline.backfill import BackfillOptions, backfill

    clone = init(tmp_path / "docs")
    commit(clone, PATH, old_shape(), "2025-01-15T10:00:00Z")
    commit(clone, PATH, new_shape(), "2025-02-26T10:00:00Z")
    commit(clone, PATH, _another_article(new_shape()), "2025-02-27T10:00:00Z")
    result = backfill(BackfillOptions(git_repos=(clone,), snapshots=tmp_path / "snapshots", progress=False))
    assert (result.versions, result.good, result.restructured, result.quarantined) == (3, 2, 1, 1)
    assert result.history is not None
    assert list(result.history[result.history.dataset == "page"].kind) == ["restructured"]
    [held] = [e for e in SnapshotStore(tmp_path / "snapshots").entries() if e["status"] == "quarantined"]
    assert held["failure_kind"] == "validity"


def test_backfill_by_day_replays_the_last_commit_of_each_utc_day(tmp_path: Path) -> None:
    from pipeline.backfill import BackfillOptions, collect

    clone = init(tmp_path / "docs")
    commit(clone, PATH, old_shape(), "2025-02-25T09:00:00Z")
    commit(clone, PATH, new_shape(), "2025-02-25T15:00:00Z")
    late = commit(clone, PATH, old_shape(date="02/25/2025"), "2025-02-25T23:30:00Z")
    next_day = commit(clone, PATH, new_shape(date="02/26/2025"), "2025-02-26T08:00:00Z")
    every = collect(BackfillOptions(git_repos=(clone,)))
    daily = collect(BackfillOptions(git_repos=(clone,), granularity="day"))
    assert len(every) == 4
    assert [v.commit for v in daily] == [late, next_day]


def test_failure_kinds_and_agreement_figures() -> None:
    from pipeline.validate.corroborate import agreement, agrees
    from pipeline.validate.result import failure_kind
    from tests.validate_support import frames_of

    assert failure_kind([]) is None
    assert failure_kind(["drift.expect_column_values_to_be_null(vanished)"]) == "drift"
    assert failure_kind(["drift.x", "page.expect_column_distinct_values_to_be_in_set(title)"]) == "validity"
    full = frames_of(learn_page(new_shape(), "b" * 40))
    dropped = frames_of(learn_page(new_shape(drop_tab=("Runtime threat protection", "GCP")), "b" * 40))
    figures = agreement(dropped, full)
    assert figures["feature_support"] == round(30 / 36, 4) and figures["support_items"] == 1.0
    assert not agrees(figures) and agrees(agreement(full, full))


def test_a_page_flipping_between_shapes_is_marked_transient_and_shown_collapsed(tmp_path: Path) -> None:
    from pipeline.backfill import BackfillOptions, backfill
    from pipeline.diff.transient import collapse
    from pipeline.publish._feed import runs

    clone = init(tmp_path / "docs")
    commit(clone, PATH, old_shape(), "2025-02-25T08:00:00Z")
    commit(clone, PATH, new_shape(), "2025-02-25T10:00:00Z")  # 18 rows removed ...
    commit(clone, PATH, old_shape(date="02/25/2025"), "2025-02-25T14:00:00Z")  # ... back 4 h later
    commit(clone, PATH, new_shape(date="03/31/2025"), "2025-03-31T09:00:00Z")  # removed for good, weeks later
    result = backfill(BackfillOptions(git_repos=(clone,), snapshots=tmp_path / "snapshots", progress=False))
    history = result.history
    assert history is not None and result.quarantined == 0
    events = history[history.kind == "transient"]
    removed = history[(history.kind == "removed") & (history.dataset == "feature_support")]
    assert len(removed) == 36  # twice 18: both flips are in the history
    assert len(events[events.dataset == "feature_support"]) == 18  # one per round trip, the last removal stands
    assert all("reverted 4 h later" in s for s in events.summary)
    shown = collapse(SnapshotStore(tmp_path / "snapshots").changes())
    assert len(shown[(shown.kind == "removed") & (shown.dataset == "feature_support")]) == 18
    assert not len(shown[shown.kind == "added"])
    entries = {at: set(c.kind) for at, _, c in runs(shown)}
    assert entries["2025-02-25T14:00:00Z"] == {"transient"}  # the flip back: one line per round trip
    assert entries["2025-02-25T10:00:00Z"] == {"restructured"}  # its removals are folded into those lines
    # a narrower window keeps both flips as ordinary changes
    again = backfill(
        BackfillOptions(git_repos=(clone,), snapshots=tmp_path / "other", progress=False, transient_hours=2)
    )
    assert again.history is not None and not len(again.history[again.history.kind == "transient"])


def test_the_pipeline_health_issue_names_the_kind_and_how_to_accept(tmp_path: Path, repo: dict[str, object]) -> None:
    from pipeline.commands.report import load
    from pipeline.workflow import report as texts

    _baseline(tmp_path, repo)
    new = _page(tmp_path, "new", learn_page(new_shape(), str(repo["new"])))
    with pytest.raises(ValidationFailed):
        _run(tmp_path, new, "2025-02-27T06:17:00Z")
    body = texts.health_body(load(tmp_path / "snapshots", exit_code=5))
    [held] = [e for e in SnapshotStore(tmp_path / "snapshots").entries() if e["status"] == "quarantined"]
    assert "Kind: **drift** (an unconfirmed restructure" in body and "unreachable" in body
    assert f"**accept** = `{held['id']}`" in body and f"python -m pipeline accept {held['id']}" in body
