"""support_items: status lines, bullets, continuation lines, lists outside tables; and their OS rows."""

from __future__ import annotations

import pandas as pd

from pipeline.normalise import tidy
from tests.normalise_support import document, table, tabs

ASPECT = ("Aspect", "Details")
# the extractor refuses a page without tables; this one adds no support items
FILLER = "<h2>About</h2>" + table(("Name", "Value"), [["a", "b"]])


def items(body: str) -> list[tuple[str, str, str]]:
    frame = tidy(document(body)).frames["support_items"]
    return [(a, s, i) for a, s, i in zip(frame["aspect"], frame["status"], frame["item"])]


def test_status_lines_and_bullets() -> None:
    details = (
        "<strong>Supported</strong><br> * Container images in Docker V2 format<br> * Images with OCI format"
        "<br><strong>Unsupported</strong><br> * Public repositories<br> * Manifest lists"
    )
    got = items("<h2>Registries</h2>" + table(ASPECT, [["Registries and images", details]]))
    assert got == [
        ("Registries and images", "Supported", "Container images in Docker V2 format"),
        ("Registries and images", "Supported", "Images with OCI format"),
        ("Registries and images", "Unsupported", "Public repositories"),
        ("Registries and images", "Unsupported", "Manifest lists"),
    ]


def test_other_status_phrases_are_kept_as_written() -> None:
    details = "<strong>Supported</strong><br> • AKS<br><br><strong>Supported via Arc enabled Kubernetes</strong><br> • Kubernetes"
    got = items("<h2>Kubernetes</h2>" + table(ASPECT, [["Kubernetes distributions and configurations", details]]))
    assert [(s, i) for _, s, i in got] == [("Supported", "AKS"), ("Supported via Arc enabled Kubernetes", "Kubernetes")]


def test_plain_status_line_and_not_supported_synonym() -> None:
    details = "Supported:<br> - Python<br>Not supported<br> - Rust"
    got = items("<h2>Packages</h2>" + table(ASPECT, [["Language specific packages", details]]))
    assert [(s, i) for _, s, i in got] == [("Supported", "Python"), ("Unsupported", "Rust")]


def test_a_plain_line_after_a_bullet_continues_it_and_is_flagged() -> None:
    details = (
        "<strong>Unsupported</strong><br> • Super-minimalist images such as Docker scratch images<br>"
        "is currently unsupported<br> • Windows images"
    )
    result = tidy(document("<h2>R</h2>" + table(ASPECT, [["Registries and images", details]])))
    frame = result.frames["support_items"]
    assert list(frame["item"]) == [
        "Super-minimalist images such as Docker scratch images is currently unsupported",
        "Windows images",
    ]
    assert result.counts()["continuation line"] == 1


def test_empty_bullet_is_skipped_and_flagged() -> None:
    details = "<strong>Unsupported</strong><br> •<br> • Public repositories"
    result = tidy(document("<h2>R</h2>" + table(ASPECT, [["Registries and images", details]])))
    assert list(result.frames["support_items"]["item"]) == ["Public repositories"]
    assert result.counts()["empty bullet"] == 1


def test_no_status_line_is_supported_only_where_the_context_says_so() -> None:
    packages = table(ASPECT, [["OS Packages", "- Alpine Linux 3.12-3.15<br>- CentOS 6, 7"]])
    result = tidy(document("<h2>Registries and images</h2>" + packages))
    assert set(result.frames["support_items"]["status"]) == {"Supported"}
    assert result.counts()["no status line"] == 1  # once per cell, not per bullet
    other = table(ASPECT, [["Networking", "- Private clusters<br>- Proxies"]])
    frame = tidy(document("<h2>Additional information</h2>" + other)).frames["support_items"]
    assert set(frame["status"]) == {"Unspecified"}


def test_details_split_over_two_columns_read_as_one_cell() -> None:
    headers = ("Aspect", "Details", "")
    rows = [
        [
            "Registries and images",
            "<strong>Supported</strong><br> • ACR registries",
            "<strong>Unsupported</strong><br> • Manifest lists",
        ]
    ]
    got = items("<h2>Azure</h2>" + table(headers, rows))
    assert [(s, i) for _, s, i in got] == [("Supported", "ACR registries"), ("Unsupported", "Manifest lists")]


def test_support_lists_outside_tables() -> None:
    body = (
        FILLER + "<h2>Supported host operating systems</h2>"
        "<p>The Defender sensor is supported only with Linux Kernel 5.4 and above, on the following host operating systems:</p>"
        "<ul><li>Amazon Linux 2</li><li>Ubuntu 22.04</li></ul>"
        "<h2>Next steps</h2><ul><li>Learn how Defender for Cloud collects data.</li></ul>"
    )
    result = tidy(document(body))
    frame = result.frames["support_items"]
    assert list(zip(frame["aspect"], frame["status"], frame["item"])) == [
        ("Supported host operating systems", "Supported", "Amazon Linux 2"),
        ("Supported host operating systems", "Supported", "Ubuntu 22.04"),
    ]
    assert frame["table_index"].isna().all()
    assert "no status line" not in result.counts()
    os_rows = result.frames["os_versions"].set_index("name")
    assert list(os_rows.loc["Ubuntu", "versions"]) == ["22.04"]
    assert (os_rows.loc["Linux Kernel", "version_min"], os_rows.loc["Linux Kernel", "open_ended"]) == ("5.4", "up")


def test_a_list_introduced_by_a_paragraph_counts_even_under_a_vague_heading() -> None:
    body = (
        FILLER + "<h2>Additional information</h2>"
        "<p>The Defender extension is supported on the following host operating systems:</p>"
        "<ul><li>Debian 11</li></ul>"
    )
    assert items(body) == [("Additional information", "Supported", "Debian 11")]


def test_a_list_under_a_vague_heading_without_introduction_is_not_a_support_list() -> None:
    body = (
        FILLER + "<h2>Supported features by environment</h2>"
        "<p>Read this first.</p><ul><li>Specific features are in preview.</li></ul>"
    )
    assert items(body) == []


def test_column_list_table() -> None:
    headers = ("Language specific packages", "OS packages")
    rows = [["Java<br>Python", "Alpine Linux 3.12-3.15<br>Ubuntu 10.10 - 22.04"]]
    result = tidy(document("<h2>Supported language specific and OS packages (Preview)</h2>" + table(headers, rows)))
    got = list(zip(result.frames["support_items"]["aspect"], result.frames["support_items"]["item"]))
    assert got == [
        ("Language specific packages", "Java"),
        ("Language specific packages", "Python"),
        ("OS packages", "Alpine Linux 3.12-3.15"),
        ("OS packages", "Ubuntu 10.10 - 22.04"),
    ]
    assert sorted(result.frames["os_versions"]["name"]) == ["Alpine Linux", "Ubuntu"]


def test_environment_per_tab_and_duplicates_dropped() -> None:
    cell = "<strong>Supported</strong><br> * ECR<br> * ECR"
    body = "<h2>Additional information</h2>" + tabs(
        1, [("AWS (EKS)", table(ASPECT, [["Registries and images", cell]])), ("GCP (GKE)", "<p>none</p>")]
    )
    result = tidy(document(body))
    frame = result.frames["support_items"]
    assert list(zip(frame["environment"], frame["item"])) == [("AWS", "ECR")]
    assert result.counts()["duplicate support item"] == 1


def test_os_rows_only_from_os_aspects_and_versioned_distributions() -> None:
    rows = [
        [
            "Registries and images",
            "<strong>Supported</strong><br> • Windows images using Windows OS version 1709 and above",
        ],
        [
            "Operating systems",
            "<strong>Supported</strong><br> • Alpine Linux 3.12-3.21<br> • openSUSE Leap, openSUSE Tumbleweed",
        ],
        [
            "Kubernetes distributions and configurations",
            "<strong>Supported</strong><br> • Kubernetes<br> • Red Hat OpenShift (version 4.6 or newer)",
        ],
        ["Operating systems", "<strong>Unsupported</strong><br> • Windows Server 2012"],
    ]
    os_rows = tidy(document("<h2>Registries and images support for Azure</h2>" + table(ASPECT, rows))).frames[
        "os_versions"
    ]
    assert sorted(os_rows["name"]) == ["Alpine Linux", "Red Hat OpenShift", "openSUSE Leap", "openSUSE Tumbleweed"]
    assert set(os_rows["context"]) == {
        "Registries and images support for Azure / Operating systems",
        "Registries and images support for Azure / Kubernetes distributions and configurations",
    }
    assert set(os_rows["environment"]) == {"Azure"}
    assert not pd.isna(os_rows.set_index("name").loc["Red Hat OpenShift", "version_min"])
