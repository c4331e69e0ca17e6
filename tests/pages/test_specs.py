"""The page specs (pipeline/pages/*.toml): they load, they are consistent, and the containers spec says
what the code's constants say today (so those constants can be replaced by spec reads)."""

from __future__ import annotations

import math
import re
from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from pipeline import pages
from pipeline.errors import UsageError
from pipeline.extract import extract

from ..corpus import CATALOGUE_PAGES, CATALOGUE_SKIP, SKIP_REASON, catalogue_html, catalogue_stems, catalogue_truth

SPEC_FILES = sorted(p.name for p in resources.files("pipeline.pages").iterdir() if p.name.endswith(".toml"))


def test_every_spec_loads_and_slugs_match_the_file_names() -> None:
    assert len(SPEC_FILES) == 4
    assert [f"{spec.slug}.toml" for spec in pages.all_pages()] == SPEC_FILES
    assert [spec.slug for spec in pages.all_pages()] == sorted(spec.slug for spec in pages.all_pages())
    assert pages.get(pages.DEFAULT).slug == pages.DEFAULT


@pytest.mark.parametrize("slug", pages.slugs())
def test_urls_are_https_on_the_allowed_hosts(slug: str) -> None:
    spec = pages.get(slug)
    for url in (spec.url, *spec.canonical_urls):
        parts = urlsplit(url)
        assert parts.scheme == "https" and parts.hostname in spec.allowed_hosts, url


@pytest.mark.parametrize("slug", pages.slugs())
def test_the_canonical_pattern_accepts_the_page_and_no_other(slug: str) -> None:
    spec = pages.get(slug)
    pattern = re.compile(spec.canonical_url_pattern)
    assert all(pattern.match(url) for url in spec.canonical_urls)
    others = [u for other in pages.all_pages() if other.slug != slug for u in other.canonical_urls]
    assert others and not any(pattern.match(url) for url in others)
    assert not pattern.match(spec.canonical_url + "x") and not pattern.match(spec.canonical_url.replace(".", "x", 1))


def test_identities_are_distinct_across_pages() -> None:
    specs = pages.all_pages()
    for attribute in ("feed_id", "alert_title", "package_name", "display_name", "url"):
        values = [getattr(spec, attribute) for spec in specs]
        assert len(set(values)) == len(values), attribute
    titles = [title for spec in specs for title in spec.accepted_titles]
    assert len(set(titles)) == len(titles), "a title accepted by two pages cannot tell them apart"


def test_every_dataset_of_every_page_has_bounds() -> None:
    for spec in pages.all_pages():
        assert set(spec.row_bounds) == set(spec.all_datasets)
        assert spec.row_bounds["page"] == (1, 1)
        assert spec.bounds_basis


def test_an_unknown_slug_is_one_line_naming_the_known_ones() -> None:
    with pytest.raises(UsageError) as caught:
        pages.get("defender-for-toasters")
    message = caught.value.one_line()
    assert "\n" not in message and "defender-for-toasters" in message
    assert all(slug in message for slug in pages.slugs())


# -- the containers spec equals today's constants ---------------------------------------------------


def test_containers_identity_is_the_articles() -> None:
    """The values the code's constants had before they were replaced by spec reads: the spec cannot
    drift from the article unnoticed."""
    spec = pages.get("defender-for-containers")
    assert sorted(spec.accepted_titles) == [
        "Containers support matrix",
        "Containers support matrix in Defender for Cloud",
        "Matrices of Defender for Containers features in Azure, multicloud, and on-premises environments",
        "Microsoft Defender for Cloud's containers features according to OS, machine type, and cloud",
        "Microsoft Defender for Cloud's servers features according to OS, machine type, and cloud",
        "Microsoft Defender for Containers feature availability",
        "Support for the Defender for Containers plan",
        "Support for the Defender for Containers plan in Microsoft Defender for Cloud",
    ]
    assert spec.canonical_url_pattern == (
        r"^https://learn\.microsoft\.com/en-us/azure/defender-for-cloud/"
        r"(?:support-matrix-defender-for-containers|supported-machines-endpoint-solutions-clouds-containers)$"
    )
    assert spec.alert_title == "Defender for Containers support matrix"
    assert spec.feed_id == "tag:supportmatrix,2025:defender-for-containers/changes"
    assert spec.package_name == "defender-for-containers-support-matrix"


def test_containers_fetch_and_sources_are_the_articles() -> None:
    """What fetch and backfill read from the spec now (their constants were replaced by it): the values
    they had, so the spec cannot drift from the article unnoticed."""
    spec = pages.get("defender-for-containers")
    base = "https://learn.microsoft.com/en-us/azure/defender-for-cloud/"
    assert spec.url == spec.canonical_url == base + "support-matrix-defender-for-containers"
    assert spec.former_urls == (base + "supported-machines-endpoint-solutions-clouds-containers",)
    assert spec.allowed_hosts == ("learn.microsoft.com",)
    assert spec.paths == (
        "articles/defender-for-cloud/support-matrix-defender-for-containers.md",
        "articles/defender-for-cloud/supported-machines-endpoint-solutions-clouds-containers.md",
    )
    assert spec.repositories == tuple(
        f"https://github.com/MicrosoftDocs/{name}" for name in ("azure-docs", "azure-security-docs", "defender-docs")
    )


def test_containers_environments_are_the_published_vocabulary() -> None:
    from pipeline import schema, vocabulary

    spec = pages.get("defender-for-containers").environments
    assert spec is not None
    assert spec.order == vocabulary.ENVIRONMENTS  # the enum the published schemas carry
    assert spec.fallback == "Azure"
    labels = {
        "Azure (AKS)": "Azure",
        "AWS (EKS)": "AWS",
        "GCP (GKE)": "GCP",
        "On-premises, Arc-enabled Kubernetes clusters": "Arc-enabled Kubernetes",
        "Azure Arc": "Arc-enabled Kubernetes",
        "External container registries": "External registries",
        "Registries and images support for AWS - Elastic Container Registry": "AWS",
    }
    for label, environment in labels.items():
        assert next(e for p, e in spec.patterns() if p.search(label)) == environment, label
    assert pages.get("defender-for-containers").datasets == schema.TIDY


def test_containers_bounds_follow_their_stated_rule() -> None:
    """floor(min / 2) .. 3 * max over the corpus and the sample page, as the TOML comment says."""
    from pipeline.normalise import normalise
    from pipeline.normalise.matrix import support_frame

    from ..corpus import html_bytes, stems

    found = stems()
    if not found:
        pytest.skip(SKIP_REASON)
    spec = pages.get("defender-for-containers")
    sample = (Path(__file__).resolve().parents[1] / "fixtures" / "learn_sample.html").read_bytes()
    seen: dict[str, list[int]] = {name: [] for name in spec.all_datasets if name != "page"}
    for raw in [html_bytes(stem) for stem in found] + [sample]:
        document = extract(raw)
        seen["cells"].append(sum(len(row) for table in document.tables for row in table.rows))
        seen["tables"].append(len(document.tables))
        seen["footnotes"].append(len(document.footnotes))
        seen["notes"].append(len(document.notes))
        seen["support"].append(len(support_frame(document, spec)))
        for name, frame in normalise(document, spec).items():
            seen[name].append(len(frame))
    assert str(len(found)) in spec.bounds_basis and "sample" in spec.bounds_basis
    for name, counts in seen.items():
        assert spec.row_bounds[name] == (math.floor(min(counts) / 2), 3 * max(counts)), name


def test_siblings_have_no_environment_split_nor_richer_datasets() -> None:
    for spec in pages.all_pages():
        if spec.slug != "defender-for-containers":
            assert spec.environments is None and spec.datasets == ()


# -- the siblings' specs agree with their history (../shared/catalogue) --------------------------------


@pytest.mark.parametrize("folder", sorted(CATALOGUE_PAGES))
def test_sibling_titles_and_canonical_url_are_the_catalogues(folder: str) -> None:
    stems = catalogue_stems(folder)
    if not stems:
        pytest.skip(CATALOGUE_SKIP)
    spec = pages.get(CATALOGUE_PAGES[folder])
    titles = [catalogue_truth(folder, stem)["title"] for stem in stems]
    assert set(spec.accepted_titles) == set(titles)
    assert spec.title == titles[-1]
    pattern = re.compile(spec.canonical_url_pattern)
    for stem in (stems[0], stems[-1]):
        meta = extract(catalogue_html(folder, stem)).meta
        assert meta.title in spec.accepted_titles
        assert meta.canonical_url is not None and pattern.match(meta.canonical_url)
    assert {s.path.rsplit("/", 1)[1].removesuffix(".md") for s in spec.sources} == {spec.url.rsplit("/", 1)[1]}


@pytest.mark.parametrize("folder", sorted(CATALOGUE_PAGES))
def test_sibling_bounds_follow_their_stated_rule(folder: str) -> None:
    """floor(min / 2) .. max(3 * max, 3) over the catalogue's revisions, as the TOML comment says."""
    stems = catalogue_stems(folder)
    if not stems:
        pytest.skip(CATALOGUE_SKIP)
    spec = pages.get(CATALOGUE_PAGES[folder])
    seen: dict[str, list[int]] = {name: [] for name in ("cells", "tables", "footnotes", "notes", "support")}
    for stem in stems:
        document = extract(catalogue_html(folder, stem))
        seen["cells"].append(sum(len(row) for table in document.tables for row in table.rows))
        seen["tables"].append(len(document.tables))
        seen["footnotes"].append(len(document.footnotes))
        seen["notes"].append(len(document.notes))
        # one support row per authored body cell that is not the row label
        tables = [t for t in catalogue_truth(folder, stem)["tables"] if t["learn_renders_as_table"]]
        seen["support"].append(sum(len(t["rows"]) * (len(t["headers"]) - 1) for t in tables))
    assert str(len(stems)) in spec.bounds_basis
    for name, counts in seen.items():
        assert spec.row_bounds[name] == (math.floor(min(counts) / 2), max(3 * max(counts), 3)), name


# -- the file format is checked as it loads ------------------------------------------------------------


def _containers_text() -> str:
    return (resources.files("pipeline.pages") / "defender-for-containers.toml").read_text(encoding="utf-8")


def test_a_shipped_file_parses_under_its_own_name_only() -> None:
    text = _containers_text()
    assert pages.parse("defender-for-containers.toml", text) == pages.get("defender-for-containers")
    with pytest.raises(UsageError, match=r"page file other\.toml: key 'slug'"):
        pages.parse("other.toml", text)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda t: t.replace('display_name = "Defender for Containers"\n', ""), r"missing key 'display_name'"),
        (lambda t: 'colour = "blue"\n' + t, r"unknown key 'colour'"),
        (lambda t: t.replace('feed_id = "tag:', 'feed_id = 3 # "'), r"key 'feed_id' must be a string"),
        (
            lambda t: t.replace('allowed_hosts = ["learn.microsoft.com"]', 'allowed_hosts = "learn"'),
            r"'allowed_hosts' must be a list",
        ),
        (
            lambda t: t.replace('since = "2022-03-08"', 'since = "March 2022"', 1),
            r"'sources\[0\]\.since' must be a date",
        ),
        (lambda t: t.replace('fallback = "Azure"', 'fallback = "Mars"'), r"'environments\.fallback'"),
        (
            lambda t: t.replace("os_versions = [0, 201]", "os_versions = [201, 0]"),
            r"'bounds\.os_versions' must be \[min, max\]",
        ),
        (lambda t: t.replace("os_versions = [0, 201]", ""), r"missing key 'bounds\.os_versions'"),
        (lambda t: t.replace("page = [1, 1]", "pages = [1, 1]"), r"unknown key 'bounds\.pages'"),
        (lambda t: t.replace('"os_versions"]', '"os_versions", "servers"]'), r"'datasets' has 'servers'"),
        (lambda t: t.replace("row_label_headers", "row_labels"), r"unknown key 'columns\.row_labels'"),
        (lambda t: t.replace("'release state$'", "'release (state$'"), r"'columns\.state_columns' has a bad regex"),
        (lambda t: t.replace('url = "https://learn.', 'url = "https://example.', 1), r"key 'url' must be an https URL"),
        (lambda t: t.replace('title = "Containers support matrix in', 'title = "Not it', 1), r"'title' must be one of"),
        (lambda t: t.replace("[[sources]]", "[[source]]", 1), r"unknown key 'source'"),
        (lambda t: t + "\n[bounds\n", r"not valid TOML"),
    ],
)
def test_a_bad_file_is_one_error_naming_the_file_and_the_key(edit, message: str) -> None:
    text = edit(_containers_text())
    assert text != _containers_text()
    with pytest.raises(UsageError, match=r"^page file defender-for-containers\.toml: .*" + message):
        pages.parse("defender-for-containers.toml", text)
