"""Environment: tab > subheading > section labels, the fixed vocabulary, raw labels kept, the Azure default."""

from __future__ import annotations

import pytest

from pipeline.model import Scope
from pipeline.normalise import tidy
from pipeline.normalise.environments import from_scope, map_label, resolve
from pipeline.vocabulary import ENVIRONMENTS as VOCABULARY
from tests.normalise_support import FEATURE_HEADERS, document, feature_row, table, tabs

# the containers page's environments (pipeline/pages/defender-for-containers.toml)
AZURE, AWS, GCP, ARC, EXTERNAL = "Azure", "AWS", "GCP", "Arc-enabled Kubernetes", "External registries"


@pytest.mark.parametrize(
    ("label", "environment"),
    [
        ("Azure", AZURE),
        ("Azure (AKS)", AZURE),
        ("AWS", AWS),
        ("AWS (EKS)", AWS),
        ("GCP", GCP),
        ("GCP (GKE)", GCP),
        ("On-prem/IaaS (Arc)", ARC),
        ("On-prem/IasS (ARC)", ARC),
        ("On-premises, Arc-enabled Kubernetes clusters", ARC),
        ("On-premises Arc-enabled machines", ARC),
        ("Arc enabled Kubernetes clusters", ARC),
        ("Arc enabled", ARC),
        ("Arc enabled Kubernetes", ARC),
        ("External registries", EXTERNAL),
        ("External container registries", EXTERNAL),
        ("Registries and images support for AWS - Vulnerability assessment powered by Microsoft Defender", AWS),
        ("Images support-EKS", AWS),
        ("Registries and images support-AKS", AZURE),
        ("Kubernetes distributions/configurations support - GCP", GCP),
        ("Supported features by environment", None),
        ("Additional information", None),
        ("Additional environment information", None),
        ("Vulnerability assessment (VA) features", None),
        ("", None),
        (None, None),
    ],
)
def test_labels_map_to_the_vocabulary(label: str | None, environment: str | None) -> None:
    assert map_label(label) == environment
    assert environment is None or environment in VOCABULARY


def test_tab_wins_over_subheading_and_section() -> None:
    scope = Scope(section="Kubernetes distributions in Azure", tab="Arc enabled Kubernetes", subheading="Azure")
    assert from_scope(scope) == (ARC, "Arc enabled Kubernetes")


def test_subheading_wins_over_section() -> None:
    scope = Scope(section="On-premises, Arc-enabled Kubernetes clusters", subheading="External container registries")
    assert from_scope(scope) == (EXTERNAL, "External container registries")


def test_section_when_tab_and_subheading_name_no_cloud() -> None:
    scope = Scope(section="AWS (EKS)", tab=None, subheading="Images")
    assert from_scope(scope) == (AWS, "AWS (EKS)")


def test_no_label_on_an_unsplit_page_is_azure_and_keeps_the_raw_label() -> None:
    assert resolve(Scope(section="Runtime protection features"), split=False, required=True) == (
        AZURE,
        "Runtime protection features",
    )


def test_no_label_on_a_split_page_is_kept_raw_for_features_and_null_for_lists() -> None:
    scope = Scope(section="Supported features by environment", tab="Mars (MKS)")
    assert resolve(scope, split=True, required=True) == ("Mars (MKS)", "Mars (MKS)")
    assert resolve(scope, split=True, required=False) == (None, "Mars (MKS)")


def test_unmapped_tab_is_kept_raw_and_flagged() -> None:
    body = "<h2>Supported features by environment</h2>" + tabs(
        1,
        [
            ("Azure (AKS)", table(FEATURE_HEADERS, [feature_row("Registry scan")])),
            ("Mars (MKS)", table(FEATURE_HEADERS, [feature_row("Registry scan")])),
        ],
    )
    result = tidy(document(body))
    features = result.frames["features"]
    assert sorted(features["environment"]) == ["Azure", "Mars (MKS)"]
    assert sorted(features["environment_label"]) == ["Azure (AKS)", "Mars (MKS)"]
    assert result.counts()["unmapped environment"] == 1


def test_sections_without_cloud_labels_on_a_single_matrix_page_are_azure() -> None:
    body = (
        "<h2>Vulnerability assessment (VA) features</h2>"
        + table(FEATURE_HEADERS, [feature_row("Container registry VA", "ACR")])
        + "<h2>Runtime protection features</h2>"
        + table(FEATURE_HEADERS, [feature_row("Control plane detection")])
    )
    features = tidy(document(body)).frames["features"]
    assert list(features["environment"]) == ["Azure", "Azure"]
    assert list(features["environment_label"]) == [
        "Vulnerability assessment (VA) features",
        "Runtime protection features",
    ]


def test_tables_under_a_later_h3_inherit_the_h3_labelled_feature_table_before_them() -> None:
    aspect = table(("Aspect", "Details"), [["Registries and images", "<strong>Supported</strong><br> * ECR"]])
    body = (
        "<h2>Supported features by environment</h2>"
        "<h3>Azure (AKS)</h3>" + table(FEATURE_HEADERS, [feature_row("Registry scan", "ACR")]) + "<h3>AWS (EKS)</h3>"
        ""
        + table(FEATURE_HEADERS, [feature_row("Registry scan", "ECR")])
        + "<h3>Additional environment information</h3>"
        "" + aspect + "<h2>Next steps</h2>" + aspect
    )
    frames = tidy(document(body)).frames
    assert list(frames["features"]["environment"]) == ["Azure", "AWS"]
    items = frames["support_items"].sort_values("section")
    # inherited inside the section; a new section is cross-environment again
    assert list(zip(items["section"], items["environment"].fillna("null"))) == [
        ("Next steps", "null"),
        ("Supported features by environment", "AWS"),
    ]
