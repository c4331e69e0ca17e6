"""Resources, plans and clouds: splitting and one canonical spelling per value."""

from __future__ import annotations

import pytest

from pipeline.normalise.lists import CLOUDS, split_clouds, split_plans, split_resources, unknown_clouds


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("ACR, ECR, GAR, GCR", ["ACR", "ECR", "GAR", "GCR"]),
        ("ACR, AKS", ["ACR", "AKS"]),
        ("AKS", ["AKS"]),
        ("-", []),
        ("—", []),
        ("N/A", []),
        ("", []),
        ("-GKE", ["GKE"]),
        ("Docker Hub , JFrog Artifactory", ["Docker Hub", "JFrog Artifactory"]),
        ("Docker Hub , Jfrog Artifactory", ["Docker Hub", "JFrog Artifactory"]),
        ("Docker Hub , JfFrog Artifactory", ["Docker Hub", "JFrog Artifactory"]),
        ("VM, VMSS", ["VM", "Virtual Machine Scale Set"]),
        ("VM, Virtual Machine Scale Set", ["VM", "Virtual Machine Scale Set"]),
        ("acr, ACR", ["ACR"]),
        ("Agnostic to container registry source", ["Agnostic to container registry source"]),
    ],
)
def test_resources(cell: str, expected: list[str]) -> None:
    assert split_resources(cell) == expected


@pytest.mark.parametrize(
    ("cell", "plans", "qualifier"),
    [
        ("Defender for Containers or Defender CSPM", ["Defender for Containers", "Defender CSPM"], None),
        ("Defender for Containers OR Defender CSPM", ["Defender for Containers", "Defender CSPM"], None),
        (
            "Foundational CSPM OR Defender for Containers OR Defender CSPM",
            ["Foundational CSPM", "Defender for Containers", "Defender CSPM"],
            None,
        ),
        (
            "Defender for Containers or Defender for Servers P2 or CSPM",
            ["Defender for Containers", "Defender for Servers Plan 2", "Defender CSPM"],
            None,
        ),
        ("Defender for Servers Plan 2", ["Defender for Servers Plan 2"], None),
        ("defender for containers", ["Defender for Containers"], None),
        ("Free", ["Free"], None),
        ("-", [], None),
        (
            "Defender CSPM (requires Agentless discovery for Kubernetes to be enabled)",
            ["Defender CSPM"],
            "requires Agentless discovery for Kubernetes to be enabled",
        ),
        ("Defender for Containers, Defender CSPM", ["Defender for Containers", "Defender CSPM"], None),
    ],
)
def test_plans(cell: str, plans: list[str], qualifier: str | None) -> None:
    assert split_plans(cell) == (plans, qualifier)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (
            "Commercial clouds National clouds: Azure Government, Azure operated by 21Vianet",
            ["Commercial clouds", "Azure Government", "Azure operated by 21Vianet"],
        ),
        (
            "Commercial clouds National clouds: Azure Government, Azure China 21Vianet",
            ["Commercial clouds", "Azure Government", "Azure operated by 21Vianet"],
        ),
        (
            "Commercial clouds National clouds: Azure Government, Microsoft Azure operated by 21Vianet",
            ["Commercial clouds", "Azure Government", "Azure operated by 21Vianet"],
        ),
        (
            "Commercial clouds National clouds: Azure Government,Azure operated by 21Vianet",
            ["Commercial clouds", "Azure Government", "Azure operated by 21Vianet"],
        ),
        (
            "Commercial clouds and National clouds: Azure Government, Azure operated by 21Vianet",
            ["Commercial clouds", "Azure Government", "Azure operated by 21Vianet"],
        ),
        ("Commercial clouds", ["Commercial clouds"]),
        ("Azure commercial clouds", ["Commercial clouds"]),
        ("National clouds: Azure Government", ["Azure Government"]),
        ("", []),
        ("-", []),
    ],
)
def test_clouds(cell: str, expected: list[str]) -> None:
    assert split_clouds(cell) == expected


def test_every_canonical_cloud_is_known_and_an_odd_value_is_kept_raw() -> None:
    assert unknown_clouds(list(CLOUDS)) == []
    clouds = split_clouds("Azure ??")
    assert clouds == ["Azure ??"]
    assert unknown_clouds(clouds) == ["Azure ??"]


def test_lists_are_fresh_copies() -> None:
    first = split_resources("ACR, AKS")
    first.append("mutated")
    assert split_resources("ACR, AKS") == ["ACR", "AKS"]
