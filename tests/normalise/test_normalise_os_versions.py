"""OS lines -> name + version range (every example in the issue), prose statements, and ``covers``."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.normalise import covers, tidy
from pipeline.normalise.os_versions import canonical_name, parse_os_line, version_key, version_phrases
from tests.normalise_support import document, table

CENTOS_NOTE = "CentOS is End Of Service as of June 30, 2024. For more information, see the CentOS End Of Life guidance."


def one(raw: str) -> dict:
    entries = parse_os_line(raw)
    assert entries is not None and len(entries) == 1, entries
    e = entries[0]
    return {
        "name": e.name,
        "min": e.version_min,
        "max": e.version_max,
        "versions": e.versions,
        "open": e.open_ended,
        "based_on": e.based_on,
        "note": e.note,
    }


def expect(name: str, lo=None, hi=None, versions=(), open_=None, based_on=None, note=None) -> dict:
    return {
        "name": name,
        "min": lo,
        "max": hi,
        "versions": list(versions),
        "open": open_,
        "based_on": based_on,
        "note": note,
    }


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Alpine Linux 3.12-3.21", expect("Alpine Linux", "3.12", "3.21")),
        ("Ubuntu 12.04-22.04", expect("Ubuntu", "12.04", "22.04")),
        ("Amazon Linux 1, 2", expect("Amazon Linux", versions=["1", "2"])),
        ("Windows server 2016, 2019, 2022", expect("Windows Server", versions=["2016", "2019", "2022"])),
        (f"CentOS 6-9 ({CENTOS_NOTE})", expect("CentOS", "6", "9", note=CENTOS_NOTE)),
        (
            "Google Distroless (based on Debian GNU/Linux 7-12)",
            expect("Google Distroless", based_on="Debian GNU/Linux 7-12"),
        ),
        ("Red Hat OpenShift (version 4.6 or newer)", expect("Red Hat OpenShift", "4.6", open_="up")),
        ("Linux Kernel 5.4 and above", expect("Linux Kernel", "5.4", open_="up")),
        ("AKS V1.28 and below", expect("AKS", hi="1.28", open_="down")),
        ("Ubuntu 20.04", expect("Ubuntu", versions=["20.04"])),
    ],
)
def test_issue_examples(raw: str, expected: dict) -> None:
    assert one(raw) == expected


def test_two_systems_on_one_line_are_two_rows() -> None:
    entries = parse_os_line("openSUSE Leap, openSUSE Tumbleweed")
    assert entries is not None
    assert [(e.name, e.versions, e.version_min, e.version_max) for e in entries] == [
        ("openSUSE Leap", [], None, None),
        ("openSUSE Tumbleweed", [], None, None),
    ]
    assert {e.raw for e in entries} == {"openSUSE Leap, openSUSE Tumbleweed"}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Ubuntu 10.10 - 22.04", expect("Ubuntu", "10.10", "22.04")),
        ("Oracle Linux 6,6,7,8", expect("Oracle Linux", versions=["6", "7", "8"])),
        ("openSUSE leap 42, 15", expect("openSUSE Leap", versions=["42", "15"])),
        (
            "Debian GNU/Linux wheezy, jessie, stretch, buster, bullseye",
            expect("Debian GNU/Linux", versions=["wheezy", "jessie", "stretch", "buster", "bullseye"]),
        ),
        (
            "CentOS 6-9. (CentOS is End Of Life (EOL) as of June 30, 2024.)",
            expect("CentOS", "6", "9", note="CentOS is End Of Life (EOL) as of June 30, 2024."),
        ),
        ("Amazon Linux 2 (EKS)", expect("Amazon Linux", versions=["2"], note="EKS")),
        ("Google Container-Optimized OS", expect("Google Container-Optimized OS")),
        ("Azure Linux 1.0", expect("Azure Linux", versions=["1.0"])),
        ("AKS V1.28 and beyond", expect("AKS", "1.28", open_="up")),
        ("Kubernetes 1.27 or later", expect("Kubernetes", "1.27", open_="up")),
        ("Fedora 35 or earlier", expect("Fedora", hi="35", open_="down")),
        ("Windows OS version 1709 and above", expect("Windows OS", "1709", open_="up")),
    ],
)
def test_corpus_spellings(raw: str, expected: dict) -> None:
    assert one(raw) == expected


@pytest.mark.parametrize("raw", ["2016, 2019", "Ubuntu 20.04 LTS", "", "(only a remark)", "Ubuntu 20.04 foo"])
def test_lines_outside_the_grammar_are_unparsed(raw: str) -> None:
    assert parse_os_line(raw) is None


def test_unparsed_line_is_kept_with_its_raw_text_and_flagged() -> None:
    details = "<strong>Supported</strong><br> * Alpine Linux 3.12-3.21<br> * Ubuntu 20.04 LTS"
    result = tidy(
        document("<h2>Registries and images</h2>" + table(("Aspect", "Details"), [["Operating systems", details]]))
    )
    rows = result.frames["os_versions"].set_index("raw")
    assert rows.loc["Ubuntu 20.04 LTS", "note"] == "unparsed"
    assert rows.loc["Ubuntu 20.04 LTS", "name"] == "Ubuntu 20.04 LTS"
    assert rows.loc["Alpine Linux 3.12-3.21", "name"] == "Alpine Linux"
    assert result.counts()["unparsed OS line"] == 1


def test_version_statements_in_prose() -> None:
    sensor = (
        "Defender for Containers relies on the Defender sensor for several features. The Defender sensor is "
        "supported only with Linux Kernel 5.4 and above, on the following host operating systems:"
    )
    [(phrase, entry)] = version_phrases(sensor)
    assert phrase == "Linux Kernel 5.4 and above"
    assert (entry.name, entry.version_min, entry.open_ended) == ("Linux Kernel", "5.4", "up")
    assert entry.note and entry.note.startswith("The Defender sensor is supported only with Linux Kernel 5.4")
    [(phrase, entry)] = version_phrases("The Defender sensor in AKS V1.28 and below isn't supported on Arm64 nodes.")
    assert (phrase, entry.name, entry.version_max, entry.open_ended) == ("AKS V1.28 and below", "AKS", "1.28", "down")
    assert version_phrases("Only the versions of AKS supported by the cloud vendor are supported.") == []


def test_canonical_names() -> None:
    assert canonical_name("Windows server") == "Windows Server"
    assert canonical_name("openSUSE  leap") == "openSUSE Leap"
    assert canonical_name("Some New OS") == "Some New OS"


def test_versions_compare_numerically() -> None:
    assert version_key("3.9") < version_key("3.12")
    assert version_key("V1.28") == (1, 28)
    assert version_key("bullseye", "Debian GNU/Linux") == (11,)
    assert version_key("bullseye") is None
    assert version_key("n/a") is None


ROWS = [
    {"name": "Alpine Linux", "version_min": "3.12", "version_max": "3.21", "versions": []},
    {"name": "Amazon Linux", "version_min": None, "version_max": None, "versions": ["1", "2"]},
    {"name": "Windows Server", "version_min": None, "version_max": None, "versions": ["2016", "2019", "2022"]},
    {"name": "Red Hat OpenShift", "version_min": "4.6", "version_max": None, "versions": [], "open_ended": "up"},
    {"name": "AKS", "version_min": None, "version_max": "1.28", "versions": [], "open_ended": "down"},
    {"name": "Azure Linux", "version_min": None, "version_max": None, "versions": ["1.0", "2.0"]},
    {"name": "Google Container-Optimized OS", "version_min": None, "version_max": None, "versions": []},
    {"name": "Debian GNU/Linux", "version_min": None, "version_max": None, "versions": ["buster", "bullseye"]},
]


@pytest.mark.parametrize(
    ("name", "version", "covered"),
    [
        ("Alpine Linux", "3.12", True),
        ("Alpine Linux", "3.9", False),  # 3.9 < 3.12 numerically, not as text
        ("Alpine Linux", "3.15", True),
        ("Alpine Linux", "3.21", True),
        ("Alpine Linux", "3.21.3", True),  # within the 3.21 line
        ("Alpine Linux", "3.22", False),
        ("alpine linux", "3.13", True),
        ("Amazon Linux", "2", True),
        ("Amazon Linux", "3", False),
        ("Windows server", "2019", True),
        ("Windows Server", "2025", False),
        ("Red Hat OpenShift", "4.14", True),
        ("Red Hat OpenShift", "4.5", False),
        ("AKS", "1.27", True),
        ("AKS", "1.28", True),
        ("AKS", "1.29", False),
        ("Azure Linux", "2", True),
        ("Azure Linux", "3.0", False),
        ("Google Container-Optimized OS", "105", True),  # listed without any version restriction
        ("Debian GNU/Linux", "10", True),
        ("Debian GNU/Linux", "bullseye", True),
        ("Debian GNU/Linux", "9", False),
        ("Ubuntu", "22.04", False),  # not listed at all
    ],
)
def test_covers(name: str, version: str, covered: bool) -> None:
    assert covers(ROWS, name, version) is covered


def test_covers_reads_an_os_versions_frame() -> None:
    frame = pd.DataFrame(ROWS)
    assert covers(frame, "Alpine Linux", "3.20")
    assert not covers(frame, "Alpine Linux", "3.9")
