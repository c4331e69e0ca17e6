"""diff() on real pages: variants of the sample page, edited in memory, built by pipeline.steps.

Edits that change only the form (order, emphasis, spacing, <br>, split rows, footnote anchors,
table placement, tab labels) must yield zero changes; edits that change support must yield
exactly the typed change a reader would name.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from pipeline.diff import diff
from pipeline.fetch import Fetched
from pipeline.steps import build

SAMPLE = (Path(__file__).parents[1] / "fixtures" / "learn_sample.html").read_text(encoding="utf-8")


def frames(html: str, when: str = "2025-04-01T00:00:00Z") -> dict[str, pd.DataFrame]:
    body = html.encode("utf-8")
    fetched = Fetched("sample.html", body, None, when, None, None, None, "reconstructed")
    return build(body, fetched).frames


BASE = frames(SAMPLE)


def changes_to(html: str) -> pd.DataFrame:
    assert html != SAMPLE, "the variant did not change the page"
    return diff(BASE, frames(html))


def edit(old: str, new: str, count: int = 1) -> str:
    assert SAMPLE.count(old) >= count, old
    return SAMPLE.replace(old, new, count)


def _rows_of(section_id: str) -> tuple[str, list[str], str]:
    """(text before the tbody rows, the rows, text after) of the first table after ``section_id``."""
    start = SAMPLE.index(f'id="{section_id}"')
    body = SAMPLE.index("<tbody>", start) + len("<tbody>")
    end = SAMPLE.index("</tbody>", body)
    return SAMPLE[:body], re.findall(r"<tr>.*?</tr>", SAMPLE[body:end], flags=re.S), SAMPLE[end:]


def reorder_rows() -> str:
    head, rows, tail = _rows_of("runtime-protection-features")
    return head + "\n" + "\n".join(reversed(rows)) + "\n" + tail


def split_row() -> str:
    # "Control plane hardening | ACR, AKS" becomes one row per resource, saying the same
    head, rows, tail = _rows_of("security-posture-management-features")
    out = []
    for row in rows:
        if "Control plane hardening" in row:
            out += [row.replace("<td>ACR, AKS</td>", "<td>ACR</td>"), row.replace("<td>ACR, AKS</td>", "<td>AKS</td>")]
        else:
            out.append(row)
    return head + "\n" + "\n".join(out) + "\n" + tail


def emphasis_and_spacing() -> str:
    html = SAMPLE.replace("<td>Malware detection</td>", "<td><strong>Malware   detection</strong></td>")
    html = html.replace("<td>Binary drift detection</td>", "<td>\n  Binary drift <em>detection</em>\n</td>")
    html = html.replace("<td>Requires Defender sensor</td>", "<td>Requires<br>Defender sensor</td>")
    html = html.replace("<td>GA</td>", "<td> <b>GA</b> </td>", 3)
    return html.replace("* Public repositories<br>", "*   <em>Public repositories</em> <br>")


def rename_footnote_anchor() -> str:
    return SAMPLE.replace("footnote1va", "fn-registry-access").replace("footnote2k8sarc", "fnArc2")


def move_table_within_section() -> str:
    # a paragraph now comes before the runtime table in the same section
    marker = '<h2 id="runtime-protection-features">Runtime protection features</h2>\n'
    return SAMPLE.replace(marker, marker + "<p>The following runtime features are available.</p>\n")


def move_section() -> str:
    # the whole posture section (heading, table, footnote) moves to the top of the article
    start = SAMPLE.index('<h2 id="security-posture-management-features">')
    end = SAMPLE.index('<h2 id="supported-host-operating-systems">')
    section = SAMPLE[start:end]
    rest = SAMPLE[:start] + SAMPLE[end:]
    anchor = rest.index('<h2 id="vulnerability-assessment-va-features">')
    return rest[:anchor] + section + rest[anchor:]


def rename_tab_labels() -> str:
    html = SAMPLE.replace(
        'data-linktype="self-bookmark">Arc enabled Kubernetes</a>',
        'data-linktype="self-bookmark">Arc-enabled Kubernetes clusters</a>',
    )
    return html.replace('data-linktype="self-bookmark">Azure</a>', 'data-linktype="self-bookmark">Azure (AKS)</a>')


NO_CHANGE: dict[str, Callable[[], str]] = {
    "reordered rows": reorder_rows,
    "a row split in two that says the same": split_row,
    "emphasis, whitespace and <br>": emphasis_and_spacing,
    "renamed footnote anchors": rename_footnote_anchor,
    "table moved within its section": move_table_within_section,
    "section moved up the page": move_section,
    "tab labels renamed to the same environments": rename_tab_labels,
}


@pytest.mark.parametrize("variant", list(NO_CHANGE), ids=list(NO_CHANGE))
def test_form_only_edits_are_no_change(variant: str) -> None:
    html = NO_CHANGE[variant]()
    changes = changes_to(html)
    assert changes.empty, changes[["kind", "summary"]].to_string()


def test_the_variants_do_change_the_extracted_form() -> None:
    """Guards the test above: each variant really moves, splits or relabels something."""
    assert list(frames(reorder_rows())["features"]["feature"]) != list(BASE["features"]["feature"])
    assert len(frames(split_row())["features"]) == len(BASE["features"]) + 1
    assert set(frames(rename_tab_labels())["notes"]["tab"].dropna()) != set(BASE["notes"]["tab"].dropna())
    assert list(frames(move_section())["tables"]["section"]) != list(BASE["tables"]["section"])


def test_promotion_on_the_sample() -> None:
    head, rows, tail = _rows_of("runtime-protection-features")
    rows = [r.replace("<td>Preview</td>", "<td>GA</td>", 1) if "Malware detection" in r else r for r in rows]
    changes = changes_to(head + "\n".join(rows) + tail)
    assert list(changes["summary"]) == ["Malware detection (AKS nodes, Linux) on Azure went from Preview to GA."]
    assert list(changes["kind"]) == ["promoted"]


def test_ubuntu_host_support_extended() -> None:
    changes = changes_to(edit("<li>Ubuntu 22.04</li>", "<li>Ubuntu 22.04</li>\n<li>Ubuntu 24.04</li>"))
    assert list(changes["kind"]) == ["extended"]
    assert (changes.iloc[0]["subject"], changes.iloc[0]["new"]) == ("Ubuntu", "16.04, 18.04, 20.04, 22.04, 24.04")


def test_alpine_range_extended_is_not_also_an_item_change() -> None:
    changes = changes_to(edit("Alpine Linux 3.12-3.21", "Alpine Linux 3.12-3.22"))
    assert list(zip(changes["kind"], changes["subject"], changes["old"], changes["new"])) == [
        ("extended", "Alpine Linux", "3.12-3.21", "3.12-3.22")
    ]


def test_item_no_longer_unsupported() -> None:
    changes = changes_to(edit("* Public repositories<br>", ""))
    assert list(zip(changes["kind"], changes["subject"], changes["old"])) == [
        ("removed", "Public repositories", "Unsupported")
    ]
    assert changes.iloc[0]["severity"] == "medium"


def test_docker_hub_added_to_container_registry_va() -> None:
    changes = changes_to(edit("<td>ACR</td>", "<td>ACR, Docker Hub</td>"))
    assert sorted(zip(changes["kind"], changes["resource"], changes["platform"])) == [
        ("added", "Docker Hub", "Linux"),
        ("added", "Docker Hub", "Windows"),
    ]
    assert set(changes["feature"]) == {"Container registry VA"}


def test_footnote_change_reaches_every_citing_feature() -> None:
    changes = changes_to(
        edit(
            "National clouds are automatically enabled and cannot be disabled.",
            "National clouds are enabled on request.",
        )
    )
    assert set(changes["kind"]) == {"footnote_changed"}
    assert sorted(changes["feature"]) == ["Container registry VA", "Runtime container VA"]


def test_note_added_and_feature_removed() -> None:
    head, rows, tail = _rows_of("runtime-protection-features")
    html = head + "\n".join(r for r in rows if "Binary drift detection" not in r) + tail
    html = html.replace(
        '<h2 id="defender-sensor-limitations">',
        '<div class="IMPORTANT">\n<p>Important</p>\n<p>Workload detection on Windows is retiring.</p>\n</div>\n<h2 id="defender-sensor-limitations">',
    )
    changes = changes_to(html)
    got = sorted(zip(changes["kind"], changes["dataset"], changes["severity"]))
    assert got == [
        ("added", "notes", "low"),
        ("removed", "feature_support", "high"),
        ("removed", "feature_support", "high"),
    ]
