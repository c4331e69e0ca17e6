"""features and feature_support: columns by header, old layouts, and the key rules."""

from __future__ import annotations

import json

import pandas as pd

from pipeline.normalise import tidy
from tests.normalise_support import FEATURE_HEADERS, document, feature_row, table, tabs

OLD_HEADERS = (
    "Domain",
    "Feature",
    "Supported Resources",
    "Release state",
    "Windows support",
    "Agentless/Agent-based",
    "Pricing tier",
)


def frames(body: str) -> dict[str, pd.DataFrame]:
    return tidy(document(body)).frames


def by_feature(body: str) -> dict[str, dict]:
    features = frames(body)["features"]
    return {row["feature"]: row for row in features.to_dict("records")}


def test_one_row_per_body_row_with_every_column() -> None:
    body = "<h2>Runtime protection features</h2>" + table(
        FEATURE_HEADERS,
        [
            feature_row(
                "Advanced hunting in XDR",
                "AKS",
                "Preview - currently supports audit logs &amp; process events",
                "Limited preview",
                enablement="Requires Defender sensor",
                plans="Defender for Containers <strong>OR</strong> Defender CSPM",
                clouds="Commercial clouds<br><br> National clouds: Azure Government, Azure China 21Vianet",
            ),
            feature_row("Workload detection", "ACR, AKS", "GA", "-"),
        ],
    )
    rows = by_feature(body)
    hunting = rows["Advanced hunting in XDR"]
    assert hunting["environment"] == "Azure"
    assert hunting["linux_state"] == "Preview"
    assert hunting["linux_note"] == "currently supports audit logs & process events"
    assert (hunting["windows_state"], hunting["windows_note"]) == ("Preview", "Limited preview")
    assert hunting["plans"] == ["Defender for Containers", "Defender CSPM"]
    assert hunting["clouds"] == ["Commercial clouds", "Azure Government", "Azure operated by 21Vianet"]
    assert hunting["enablement"] == "Requires Defender sensor"
    assert hunting["description"] == "Does things"
    assert json.loads(hunting["extra"]) == {}
    workload = rows["Workload detection"]
    assert workload["resources"] == ["ACR", "AKS"]
    assert (workload["linux_state"], workload["windows_state"]) == ("GA", "Not available")
    assert (workload["table_index"], workload["row"]) == (0, 1)


def test_feature_support_is_feature_by_resource_by_platform() -> None:
    body = "<h2>Azure</h2>" + table(FEATURE_HEADERS, [feature_row("Registry scan", "ACR, AKS", "GA", "Preview")])
    support = frames(body)["feature_support"]
    got = sorted(zip(support["resource"], support["platform"], support["state"]))
    assert got == [
        ("ACR", "Linux", "GA"),
        ("ACR", "Windows", "Preview"),
        ("AKS", "Linux", "GA"),
        ("AKS", "Windows", "Preview"),
    ]
    assert set(support["feature_key"]) == {"Azure|registry scan"}


def test_no_resources_gives_one_row_with_the_explicit_no_resource_value() -> None:
    # a key field is never empty: Table Schema (and so frictionless) reads "" as missing
    body = "<h2>Azure</h2>" + table(FEATURE_HEADERS, [feature_row("Discovery", "-")])
    support = frames(body)["feature_support"]
    assert list(support["resource"]) == ["(none)", "(none)"]


def test_old_layout_domain_carry_down_check_marks_and_pricing_tier() -> None:
    rows = [
        [
            "Vulnerability Assessment",
            "Registry scan",
            "ACR, Private ACR",
            "GA",
            "✓ (Preview)",
            "Agentless",
            "Defender for Containers",
        ],
        [
            "",
            "View vulnerabilities for running images",
            "AKS",
            "Preview",
            "✓",
            "Defender profile",
            "Defender for Containers",
        ],
        ["Hardening", "Control plane recommendations", "ACR, AKS", "GA", "X", "Agentless", "Free"],
        ["", "Docker CIS", "VM, VMSS", "N/A", "V", "Log Analytics agent", "Defender for Servers Plan 2"],
    ]
    body = "<h2>Supported features by environment</h2>" + tabs(1, [("Azure (AKS)", table(OLD_HEADERS, rows))])
    result = tidy(document(body))
    features = {r["feature"]: r for r in result.frames["features"].to_dict("records")}
    scan = features["Registry scan"]
    assert scan["domain"] == "Vulnerability Assessment"
    assert (scan["linux_state"], scan["windows_state"]) == ("GA", "Preview")
    assert scan["plans"] == ["Defender for Containers"]
    assert json.loads(scan["extra"]) == {"Agentless/Agent-based": "Agentless"}
    running = features["View vulnerabilities for running images"]
    assert running["domain"] == "Vulnerability Assessment"  # carried down over the empty cell
    assert (running["linux_state"], running["windows_state"]) == ("Preview", "Preview")  # ✓ copies the row's state
    control = features["Control plane recommendations"]
    assert (control["domain"], control["windows_state"]) == ("Hardening", "Not available")
    cis = features["Docker CIS"]
    assert cis["resources"] == ["VM", "Virtual Machine Scale Set"]
    assert cis["linux_state"] == "Not available"
    assert pd.isna(cis["windows_state"])
    assert cis["windows_note"] == "V (no release state to copy)"
    assert result.counts()["check mark without release state"] == 1
    platforms = set(result.frames["feature_support"]["platform"])
    assert platforms == {"Linux", "Windows"}


def test_single_release_state_column_is_platform_any() -> None:
    headers = ("Feature", "Supported resources", "Release state", "Plans")
    body = "<h2>External registries</h2>" + table(
        headers, [["Registry scan", "Docker Hub", "Preview", "Defender CSPM"]]
    )
    result = frames(body)
    row = result["features"].iloc[0]
    assert row["environment"] == "External registries"
    assert pd.isna(row["linux_state"]) and pd.isna(row["windows_state"])
    assert json.loads(row["extra"]) == {"Release state": "Preview"}
    support = result["feature_support"]
    assert list(zip(support["platform"], support["state"])) == [("Any", "Preview")]


def test_combined_domain_feature_header() -> None:
    headers = ("Domain - Feature", "Supported Resources", "Linux release state", "Windows release state")
    rows = [
        ["Discovery/provisioning - Agentless discovery for Kubernetes", "AKS", "GA", "GA"],
        ["Hardening (control plane)", "AKS", "GA", "-"],
    ]
    features = frames("<h2>Azure</h2>" + table(headers, rows))["features"]
    got = list(zip(features["domain"].fillna("null"), features["feature"]))
    assert got == [
        ("Discovery/provisioning", "Agentless discovery for Kubernetes"),
        ("null", "Hardening (control plane)"),
    ]


def test_plan_qualifier_is_kept_in_extra() -> None:
    body = "<h2>Azure</h2>" + table(
        FEATURE_HEADERS,
        [feature_row("Attack path", plans="Defender CSPM (requires Agentless discovery for Kubernetes to be enabled)")],
    )
    row = frames(body)["features"].iloc[0]
    assert list(row["plans"]) == ["Defender CSPM"]
    assert json.loads(row["extra"]) == {
        "Plans": "Defender CSPM (requires Agentless discovery for Kubernetes to be enabled)"
    }


def test_unknown_state_keeps_raw_text_and_is_flagged() -> None:
    body = "<h2>Azure</h2>" + table(FEATURE_HEADERS, [feature_row("Thing", linux="Coming soon")])
    result = tidy(document(body))
    row = result.frames["features"].iloc[0]
    assert (row["linux_state"], row["linux_note"]) == ("Unknown", "Coming soon")
    assert result.counts()["unknown release state"] == 1


# -- keys --------------------------------------------------------------------


def keys(body: str) -> dict[str, str]:
    features = frames(body)["features"]
    return dict(zip(features["feature"], features["feature_key"]))


BASE = [
    feature_row("Registry scan", "ACR"),
    feature_row("Runtime protection", "AKS"),
    feature_row("Docker CIS", "VM"),
]


def test_keys_survive_reordering_and_reformatting() -> None:
    before = keys("<h2>Azure</h2>" + table(FEATURE_HEADERS, BASE))
    assert before["Registry scan"] == "Azure|registry scan"
    reordered = keys("<h2>Azure</h2>" + table(FEATURE_HEADERS, list(reversed(BASE))))
    assert reordered == before
    formatted = [
        feature_row("<strong>Registry</strong>   scan", "ACR"),
        feature_row("Runtime<br>protection", "AKS"),
        feature_row("  Docker   CIS ", "VM"),
    ]
    after = frames("<h2>Azure</h2>" + table(FEATURE_HEADERS, formatted))["features"]
    assert sorted(after["feature_key"]) == sorted(before.values())


def test_a_key_does_not_change_when_other_rows_change() -> None:
    before = keys("<h2>Azure</h2>" + table(FEATURE_HEADERS, BASE))
    changed = [BASE[0], feature_row("Runtime protection", "AKS, EKS", "Preview", "-"), feature_row("New feature")]
    after = keys("<h2>Azure</h2>" + table(FEATURE_HEADERS, changed))
    assert after["Registry scan"] == before["Registry scan"]
    assert after["Runtime protection"] == before["Runtime protection"]


def test_same_name_in_another_environment_is_another_key() -> None:
    body = "<h2>Supported features by environment</h2>" + tabs(
        1,
        [
            ("Azure (AKS)", table(FEATURE_HEADERS, [feature_row("Registry scan", "ACR")])),
            ("AWS (EKS)", table(FEATURE_HEADERS, [feature_row("Registry scan", "ECR")])),
        ],
    )
    assert sorted(frames(body)["features"]["feature_key"]) == ["AWS|registry scan", "Azure|registry scan"]


def test_rows_split_per_resource_set_are_told_apart_by_resources() -> None:
    rows = [feature_row("Registry scan", "ACR", "GA"), feature_row("Registry scan", "Private ACR, ACR", "Preview")]
    got = sorted(frames("<h2>Azure</h2>" + table(FEATURE_HEADERS, rows))["features"]["feature_key"])
    assert got == ["Azure|registry scan|acr", "Azure|registry scan|acr,private acr"]
    swapped = sorted(frames("<h2>Azure</h2>" + table(FEATURE_HEADERS, rows[::-1]))["features"]["feature_key"])
    assert swapped == got


def test_same_feature_in_two_sections_is_told_apart_by_section() -> None:
    body = (
        "<h2>Vulnerability assessment</h2>"
        + table(FEATURE_HEADERS, [feature_row("Node scanning", "AKS")])
        + "<h2>Runtime protection</h2>"
        + table(FEATURE_HEADERS, [feature_row("Node scanning", "AKS")])
    )
    got = sorted(frames(body)["features"]["feature_key"])
    assert got == ["Azure|node scanning|runtime protection", "Azure|node scanning|vulnerability assessment"]


def test_identical_rows_get_numbered_and_are_flagged() -> None:
    rows = [feature_row("Registry scan", "ACR"), feature_row("Registry scan", "ACR")]
    result = tidy(document("<h2>Azure</h2>" + table(FEATURE_HEADERS, rows)))
    assert sorted(result.frames["features"]["feature_key"]) == [
        "Azure|registry scan|#1",
        "Azure|registry scan|#2",
    ]
    assert result.counts()["identical feature rows"] == 1


def test_feature_support_key_is_unique() -> None:
    rows = [feature_row("Registry scan", "ACR, ACR, AKS"), feature_row("Other", "-")]
    support = frames("<h2>Azure</h2>" + table(FEATURE_HEADERS, rows))["feature_support"]
    assert not support.duplicated(["environment", "feature_key", "resource", "platform"]).any()
    assert len(support) == 6
