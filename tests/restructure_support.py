"""Two shapes of one small support-matrix article, written for these tests from the facts of issue #12.

Old shape (the page until February 2025): one H2 per environment (Azure, AWS, GCP), each with a feature
table and an Aspect/Details table. New shape (from 2025-02-26): one H2 per capability (vulnerability
assessment, runtime protection, deployment), each with Azure/AWS/GCP tabs, plus a registries section with
one tab per environment. The new shape also retires a few legacy features, as the real rewrite did, so its
feature_support keeps less than 75% of the old rows: a drift failure that only the source can confirm.
Feature names (and so feature keys) survive the move.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.backfill.render import SourceInfo, render

PATH = "articles/defender-for-cloud/support-matrix-defender-for-containers.md"
REPO = "MicrosoftDocs/azure-security-docs"
HEADER = (
    "| Feature | Supported resources | Linux release state | Windows release state | Enablement method "
    "| Plans | Clouds availability |\n|--|--|--|--|--|--|--|\n"
)


@dataclass(frozen=True)
class Row:
    environment: str  # the section (old) or tab (new) label
    capability: str
    feature: str
    resource: str
    linux: str
    windows: str
    legacy: bool = False  # retired by the new shape


ENVIRONMENTS = ("Azure", "AWS", "GCP")
RESOURCES = {"Azure": ("ACR", "AKS"), "AWS": ("ECR", "EKS"), "GCP": ("GAR", "GKE")}
CAPABILITIES = ("Vulnerability assessment", "Runtime threat protection", "Deployment & monitoring")


def rows(gcp_runtime: str = "Preview") -> list[Row]:
    out = []
    for env in ENVIRONMENTS:
        registry, cluster = RESOURCES[env]
        out += [
            Row(env, CAPABILITIES[0], "Agentless registry scan", registry, "GA", "GA"),
            Row(env, CAPABILITIES[0], "Agentless runtime scan", cluster, "GA", "GA"),
            Row(env, CAPABILITIES[1], "Control plane detection", cluster, "GA", "GA"),
            Row(env, CAPABILITIES[1], "Workload detection", cluster, gcp_runtime if env == "GCP" else "GA", "-"),
            Row(env, CAPABILITIES[1], "Binary drift detection", cluster, "Preview", "-"),
            Row(env, CAPABILITIES[2], "Discovery of unprotected clusters", cluster, "GA", "GA"),
            Row(env, CAPABILITIES[2], "Legacy agent auto provisioning", cluster, "GA", "-", legacy=True),
            Row(env, CAPABILITIES[2], "Legacy policy add-on provisioning", cluster, "GA", "-", legacy=True),
            Row(env, CAPABILITIES[1], "Legacy audit log collection", cluster, "GA", "-", legacy=True),
        ]
    return out


def _line(row: Row) -> str:
    return (
        f"| {row.feature} | {row.resource} | {row.linux} | {row.windows} | Enabled with plan "
        "| Defender for Containers | Commercial clouds |\n"
    )


def _registry_table(env: str, marker: int) -> str:
    registry, cluster = RESOURCES[env]
    return (
        "| Aspect | Details |\n|--|--|\n"
        f"| Registries and images | **Supported**<br> * {registry} registries<br> * Images in Docker V2 format |\n"
        "| Operating systems | **Supported**<br> * Alpine Linux 3.12-3.21<br> * Ubuntu 16.04-24.04<br> * Debian 9-12 |\n"
        f"| Kubernetes distributions | **Supported** <sup>[{marker}](#footnote{marker})</sup><br> * {cluster} |\n\n"
        f'<sup><a name="footnote{marker}"></a>{marker}</sup> Only tested {cluster} versions are supported.\n\n'
    )


def _front(date: str) -> str:
    return (
        "---\ntitle: Containers support matrix in Defender for Cloud\n"
        "description: Support requirements for container capabilities in Microsoft Defender for Cloud.\n"
        f"ms.topic: limits-and-quotas\nms.date: {date}\n---\n\n# Containers support matrix in Defender for Cloud\n\n"
    )


def old_shape(table: list[Row] | None = None, date: str = "01/15/2025") -> str:
    """One H2 per environment."""
    table = rows() if table is None else table
    out = _front(date)
    for marker, env in enumerate(ENVIRONMENTS, start=1):
        out += f"## {env}\n\n" + HEADER + "".join(_line(r) for r in table if r.environment == env) + "\n"
        out += f"### Registries and images support for {env}\n\n" + _registry_table(env, marker)
    return out


def new_shape(table: list[Row] | None = None, date: str = "02/26/2025", drop_tab: tuple[str, str] | None = None) -> str:
    """One H2 per capability with a tab per environment; legacy features retired. ``drop_tab``
    (capability, environment) leaves one panel out, as a broken scrape would."""
    table = [r for r in (rows() if table is None else table) if not r.legacy]
    out = _front(date)
    for capability in CAPABILITIES:
        out += f"## {capability}\n\n"
        for env in ENVIRONMENTS:
            if drop_tab == (capability, env):
                continue
            out += f"### [{env}](#tab/{env.lower()}-{capability.split()[0].lower()})\n\n"
            out += HEADER + "".join(_line(r) for r in table if r.environment == env and r.capability == capability)
            out += "\n"
        out += "---\n\n"
    out += "## Registries and images\n\n"
    for marker, env in enumerate(ENVIRONMENTS, start=1):
        out += f"### [{env}](#tab/{env.lower()}-registries)\n\n" + _registry_table(env, marker)
    return out + "---\n"


def learn_page(markdown: str, commit: str, committed_at: str = "2025-02-26T10:00:00Z") -> bytes:
    """The page Learn serves for ``markdown`` at ``commit`` (its meta names the source and commit)."""
    return render(markdown, SourceInfo(commit, committed_at, PATH, REPO))
