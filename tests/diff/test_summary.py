"""The text renderings of changes: grouping, title, plain text, Markdown, changelog."""

from __future__ import annotations

import hashlib

import pandas as pd

from pipeline.diff import summary
from pipeline.schema import CHANGES


def _change(kind: str, environment: str | None, text: str, **kw: str) -> dict[str, str | None]:
    row: dict[str, str | None] = dict.fromkeys(CHANGES.names)
    row.update(
        kind=kind,
        environment=environment,
        summary=text,
        change_id=hashlib.sha256(f"{kind}|{text}".encode()).hexdigest()[:16],
        new_revision=kw.get("new_revision", "bbbbbbbbbbbbbbbb"),
        old_revision=kw.get("old_revision", "aaaaaaaaaaaaaaaa"),
        detected_at=kw.get("detected_at", "2025-01-02T00:00:00Z"),
        new_ms_date=kw.get("new_ms_date", "2025-01-02"),
        new_git_commit_id=kw.get("new_git_commit_id", "1234567890abcdef"),
        feature=kw.get("feature"),
        severity="medium",
    )
    return row


CHANGES_3 = [
    _change("removed", "AWS", "Runtime VA (EKS, Linux) on AWS was removed (it was GA).", feature="Runtime VA"),
    _change("promoted", "Azure", "Malware detection (AKS nodes, Linux) on Azure went from Preview to GA.", feature="M"),
    _change("promoted", "Azure", "Binary drift (AKS, Linux) on Azure went from Preview to GA.", feature="B"),
    _change("added", None, "A NOTE under Intro was added: “x”."),
    _change("added", "Lab cloud", "Something was added."),
]


def test_group_orders_environments_then_kinds() -> None:
    groups = summary.group(CHANGES_3)
    assert [(g.environment, g.kind) for g in groups] == [
        ("Azure", "promoted"),
        ("AWS", "removed"),
        ("Lab cloud", "added"),
        (summary.PAGE_WIDE, "added"),
    ]
    # within a group, by feature
    assert [r["feature"] for r in groups[0].changes] == ["B", "M"]


def test_group_accepts_a_dataframe() -> None:
    frame = pd.DataFrame(CHANGES_3, columns=CHANGES.names)
    frame.loc[3, "environment"] = float("nan")  # a null read back from Parquet
    groups = summary.group(frame)
    assert groups[-1].environment == summary.PAGE_WIDE
    assert sum(len(g.changes) for g in groups) == 5


def test_title_counts_by_kind() -> None:
    assert summary.title(CHANGES_3[:3]) == "Defender for Containers support matrix: 3 changes (2 promoted, 1 removed)"
    assert summary.title(CHANGES_3[:1]) == "Defender for Containers support matrix: 1 change (1 removed)"
    assert summary.title([]) == "Defender for Containers support matrix: no changes"


def test_title_counts_events_apart_from_changes_of_support() -> None:
    accepted = {**CHANGES_3[0], "kind": "accepted", "dataset": "page"}
    baseline = {**CHANGES_3[0], "kind": "baseline", "dataset": "page"}
    assert (
        summary.count_phrase([*CHANGES_3[:2], accepted]) == "2 changes (1 removed, 1 promoted) and 1 event (1 accepted)"
    )
    assert summary.count_phrase([baseline]) == "no changes, 1 event (1 baseline)"


def test_summary_text_has_title_and_every_sentence() -> None:
    text = summary.summary_text(CHANGES_3)
    assert text.splitlines()[0] == summary.title(CHANGES_3)
    for change in CHANGES_3:
        assert f"  - {change['summary']}" in text
    assert text.index("\nAzure\n") < text.index("\nAWS\n") < text.index(f"\n{summary.PAGE_WIDE}\n")


def test_summary_markdown_truncates_with_a_count() -> None:
    md = summary.summary_markdown(CHANGES_3, limit=2)
    assert md.count("\n- ") == 2
    assert md.rstrip().endswith("... and 3 more")
    assert "### Azure" in md and "**Promoted** (2)" in md
    full = summary.summary_markdown(CHANGES_3)
    assert full.count("\n- ") == 5 and "more" not in full
    assert summary.summary_markdown([]) == "No changes.\n"


def test_markdown_escapes_what_would_render_as_markup() -> None:
    md = summary.summary_markdown([_change("added", "Azure", "Feature <b>x</b> with *stars* and [link](y)")])
    assert "\\<b\\>" in md and "\\*stars\\*" in md and "\\[link\\]" in md


def test_changelog_lists_revisions_newest_first() -> None:
    older = [_change("promoted", "Azure", "Old change.", new_revision="1" * 16, detected_at="2024-01-01T00:00:00Z")]
    older[0]["new_ms_date"] = "2024-01-01"
    md = summary.changelog_markdown(pd.DataFrame(older + CHANGES_3[:2], columns=CHANGES.names))
    assert md.startswith("# Changes to the Defender for Containers support matrix\n")
    assert md.index("## 2025-01-02: 2 changes") < md.index("## 2024-01-01: 1 change")
    assert "source commit `1234567`" in md and "revision `bbbbbbbbbbbbbbbb`" in md
    assert "baseline" in summary.changelog_markdown(None)


def test_commit_message_is_title_then_body() -> None:
    msg = summary.commit_message(CHANGES_3[:2])
    head, blank, *_ = msg.splitlines()
    assert head == summary.title(CHANGES_3[:2]) and blank == ""
