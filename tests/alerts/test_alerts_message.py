"""What an alert says: grouping, truncation with a count, escaping of page text, dates and links."""

from __future__ import annotations

import pytest
from apprise import NotifyFormat
from apprise.conversion.format import convert_between

from pipeline.alerts._message import change_message, health_message, recovered_message
from tests.alerts_support import change, frame, three_changes

PAGE, CHANGES = "https://learn.example/page", "https://site.example/changes.md"


def _many(n: int) -> list[dict[str, object]]:
    return [
        change("added", f"Feature {i:02d} on AKS (Linux) was added as GA.", feature=f"Feature {i:02d}", new="GA")
        for i in range(n)
    ]


def test_changes_are_grouped_by_environment_then_kind() -> None:
    rows = [
        change("removed", "Gamma on GKE (Linux) is no longer listed.", environment="GCP", old="GA"),
        change("promoted", "Alpha on AKS (Linux): Preview → GA.", old="Preview", new="GA"),
        change("added", "Beta on AKS (Linux) was added as Preview.", new="Preview"),
        change("promoted", "Delta on EKS (Linux): Preview → GA.", environment="AWS", old="Preview", new="GA"),
    ]
    msg = change_message(frame(rows), page_url=PAGE, changes_url=CHANGES)
    md = msg.markdown
    order = ["### Azure", "**Promoted** (1)", "Alpha", "**Added** (1)", "Beta", "### AWS", "Delta", "### GCP", "Gamma"]
    positions = [md.index(piece) for piece in order]
    assert positions == sorted(positions)
    text_order = ["Azure", "  Promoted (1)", "  - Alpha", "  Added (1)", "  - Beta", "AWS", "GCP", "  - Gamma"]
    positions = [msg.text.index(piece) for piece in text_order]
    assert positions == sorted(positions)
    assert msg.title == "Defender for Containers support matrix: 4 changes (2 promoted, 1 removed, 1 added)"


@pytest.mark.parametrize(("n", "left"), [(8, 3), (5, 0)])
def test_long_lists_are_cut_with_a_count_of_what_was_left_out(n: int, left: int) -> None:
    msg = change_message(frame(_many(n)), page_url=PAGE, changes_url=CHANGES, limit=5)
    for body in (msg.markdown, msg.text):
        shown = [f"Feature {i:02d}" for i in range(n) if f"Feature {i:02d} on AKS" in body]
        assert shown == [f"Feature {i:02d}" for i in range(min(n, 5))]
        assert (f"... and {left} more" in body) == bool(left)
    assert msg.title.endswith(f": {n} changes ({n} added)")  # the title counts them all
    assert CHANGES in msg.markdown and CHANGES in msg.text  # where the rest can be read


def test_page_text_cannot_inject_markdown_or_html() -> None:
    evil = "Sensor *bold* _it_ [click](https://evil.example) <script>alert(1)</script> | `code`"
    msg = change_message(frame([change("added", evil, new="GA")]), page_url=PAGE, changes_url=CHANGES)
    assert "<script>" not in msg.markdown
    assert "[click](https://evil.example)" not in msg.markdown
    assert r"\*bold\*" in msg.markdown and r"\_it\_" in msg.markdown
    html = convert_between(NotifyFormat.MARKDOWN, NotifyFormat.HTML, msg.markdown)  # what e-mail targets get
    assert "<script>" not in html and 'href="https://evil.example"' not in html
    assert "<em>" not in html and "<strong>bold" not in html
    assert "&lt;script&gt;" in html
    assert evil in msg.text  # plain text is shown as is


def test_the_message_names_the_page_dates_and_links() -> None:
    msg = change_message(three_changes(), page_url=PAGE + "?a=(b)", changes_url=CHANGES)
    assert "Page ms.date: 2026-05-01 (was 2026-04-01)" in msg.markdown
    assert "[The Learn page](https://learn.example/page?a=%28b%29)" in msg.markdown
    assert "[All published changes](https://site.example/changes.md)" in msg.markdown
    assert f"The Learn page: {PAGE}?a=(b)" in msg.text
    assert msg.notify_type == "warning"  # a removal
    promoted_only = change_message(frame(three_changes().iloc[:2]), page_url=PAGE, changes_url=CHANGES)
    assert promoted_only.notify_type == "info"


def test_health_messages_are_distinct_from_change_messages() -> None:
    failed = health_message(
        stage="validate",
        reason="2 expectations failed: a_b, c",
        since="2026-05-02T06:00:00Z",
        snapshot="f" * 16,
        quarantined=True,
    )
    assert failed.title == "Defender for Containers support matrix: pipeline health: validate failed"
    assert failed.notify_type == "failure"
    assert "not a change in support" in failed.markdown and "not a change in support" in failed.text
    assert r"a\_b" in failed.markdown and "a_b" in failed.text
    assert "quarantined" in failed.text
    ok = recovered_message(stage="fetch", reason="HTTP 503", since="2026-05-02T06:00:00Z", now="2026-05-03T06:00:00Z")
    assert ok.title.endswith("pipeline health: recovered") and ok.notify_type == "success"
    assert "2026-05-03T06:00:00Z" in ok.text and "HTTP 503" in ok.text
