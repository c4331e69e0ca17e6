"""Footnotes resolve by anchor within their scope; unresolved references are kept, flagged and counted."""

from __future__ import annotations

from pipeline.model import Footnote, Scope
from pipeline.normalise import tidy
from pipeline.normalise.footnotes import FootnoteResolver, count_unresolved, is_unresolved
from tests.normalise_support import FEATURE_HEADERS, definition, document, feature_row, ref, table, tabs


def _footnotes_by_feature(body: str) -> dict[tuple[str, str], list[str]]:
    features = tidy(document(body)).frames["features"]
    return {(e, f): list(t) for e, f, t in zip(features["environment"], features["feature"], features["footnotes"])}


def test_same_marker_means_different_things_in_different_tables() -> None:
    body = (
        "<h2>Vulnerability assessment features</h2>"
        + table(FEATURE_HEADERS, [feature_row("Registry VA", enablement="Requires access " + ref("1", "footnote1va"))])
        + definition("1", "footnote1va", "National clouds are automatically enabled.")
        + "<h2>Posture features</h2>"
        + table(FEATURE_HEADERS, [feature_row("Discovery " + ref("1", "footnote1spm"))])
        + definition("1", "footnote1spm", "Can be enabled per cluster.")
    )
    found = _footnotes_by_feature(body)
    assert found[("Azure", "Registry VA")] == ["National clouds are automatically enabled."]
    assert found[("Azure", "Discovery")] == ["Can be enabled per cluster."]


def test_same_anchor_in_two_tab_panels_resolves_within_each_panel() -> None:
    def panel(text: str) -> str:
        return table(FEATURE_HEADERS, [feature_row("Registry scan " + ref("1", "footnote1"))]) + definition(
            "1", "footnote1", text
        )

    body = "<h2>Supported features by environment</h2>" + tabs(
        1, [("Azure (AKS)", panel("Azure meaning")), ("AWS (EKS)", panel("AWS meaning"))]
    )
    found = _footnotes_by_feature(body)
    assert found[("Azure", "Registry scan")] == ["Azure meaning"]
    assert found[("AWS", "Registry scan")] == ["AWS meaning"]


def test_several_references_keep_their_order_and_repeat_anchors_count_once() -> None:
    row = feature_row(
        "Discovery " + ref("2", "fn2") + ref("1", "fn1"),
        enablement="Toggle " + ref("1", "fn1"),
    )
    body = (
        "<h2>Azure</h2>"
        + table(FEATURE_HEADERS, [row])
        + definition("1", "fn1", "First.")
        + definition("2", "fn2", "Second.")
    )
    assert _footnotes_by_feature(body)[("Azure", "Discovery")] == ["Second.", "First."]


def test_unresolved_reference_is_kept_flagged_and_counted() -> None:
    body = "<h2>Azure</h2>" + table(FEATURE_HEADERS, [feature_row("Discovery " + ref("3", "footnote3"))])
    result = tidy(document(body))
    texts = list(result.frames["features"]["footnotes"][0])
    assert texts == ["[unresolved footnote 3]"]
    assert is_unresolved(texts[0])
    assert count_unresolved(result.frames["features"]["footnotes"]) == 1
    assert result.counts()["unresolved footnote"] == 1


def test_status_line_footnotes_apply_to_every_bullet_under_it() -> None:
    details = (
        "<strong>Supported</strong><br> * AKS<br><strong>Supported via Arc enabled Kubernetes</strong> "
        + ref("1", "fnk1")
        + " "
        + ref("2", "fnk2")
        + "<br> * Kubernetes<br> * AKS Engine "
        + ref("3", "fnk3")
    )
    body = (
        "<h2>Kubernetes distributions</h2>"
        + table(("Aspect", "Details"), [["Kubernetes distributions and configurations", details]])
        + definition("1", "fnk1", "CNCF clusters should work.")
        + definition("2", "fnk2", "Onboard Arc.")
        + definition("3", "fnk3", "Engine note.")
    )
    items = tidy(document(body)).frames["support_items"]
    by_item = {i: list(f) for i, f in zip(items["item"], items["footnotes"])}
    assert by_item["AKS"] == []
    assert by_item["Kubernetes"] == ["CNCF clusters should work.", "Onboard Arc."]
    assert by_item["AKS Engine"] == ["CNCF clusters should work.", "Onboard Arc.", "Engine note."]


def test_resolver_prefers_table_then_panel_then_anywhere() -> None:
    here = Scope("S", "AWS", None, "1:1")
    there = Scope("S", "Azure", None, "1:0")
    elsewhere = Scope("T", None, None, None)
    notes = [
        Footnote("fn", "1", "other table", here, 7),
        Footnote("fn", "1", "this table", here, 3),
        Footnote("fn", "1", "other panel", there, 1),
        Footnote("only", "2", "only definition", elsewhere, None),
    ]
    resolver = FootnoteResolver(notes)
    assert resolver.texts(["1"], ["fn"], 3, here) == ["this table"]
    assert resolver.texts(["1"], ["fn"], 99, here) == ["other table"]
    assert resolver.texts(["1"], ["fn"], None, there) == ["other panel"]
    assert resolver.texts(["2"], ["only"], 3, here) == ["only definition"]
    assert resolver.unresolved == 0
    assert resolver.texts(["5"], ["missing"], 3, here) == ["[unresolved footnote 5]"]
    assert resolver.texts(["5"], ["missing"], 3, here) == ["[unresolved footnote 5]"]
    assert resolver.unresolved == 1  # the same reference met twice counts once


def test_reference_without_anchor_matches_the_marker_in_its_panel() -> None:
    scope = Scope("Supported host operating systems", None, None, None)
    resolver = FootnoteResolver([Footnote("x", "1", "list note", scope, None)])
    assert resolver.texts(["1"], [""], None, scope) == ["list note"]
    assert resolver.texts(["1"], [""], None, Scope("Elsewhere")) == ["[unresolved footnote 1]"]
