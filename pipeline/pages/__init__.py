"""The pages the pipeline tracks, each described by one TOML file in this package (pure).

A page is data: ``<slug>.toml`` next to this module gives its URL and allowed hosts, every title and
canonical URL it had, the repositories and paths its markdown lived at, its environment vocabulary,
the roles of its table columns, the datasets it has beyond the generic ones and the row-count bounds
validation applies. Adding a page is adding a file.

Pure apart from reading this package's own data (``importlib.resources``, so it works from a wheel).
Every file is checked as it loads: an unknown key, a missing key or a value of the wrong type is one
:class:`~pipeline.errors.UsageError` naming the file and the key, never a ``KeyError`` later on.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

from ..errors import UsageError

DEFAULT = "defender-for-containers"

# the datasets every page has: extracted from any page, and the generic long support matrix
GENERIC_DATASETS = ("cells", "tables", "footnotes", "notes", "page", "support")
# the richer datasets a page may add (built by pipeline.normalise for pages of that shape)
RICH_DATASETS = ("features", "feature_support", "support_items", "os_versions")

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# characters that are special in a regex outside a character class: re.escape also escapes "-"
# and "/", which would make the pattern harder to read than the URL it matches
_REGEX_SPECIAL = re.compile(r"([.^$*+?{}\[\]\\|()])")


@dataclass(frozen=True)
class Source:
    """One repository and path the page's markdown lived at; ``since``/``until`` (YYYY-MM-DD, inclusive)
    bound the path's first and last known commit, None when open or unknown. Backfill stitches
    repositories by their own history (``pipeline._versions.stitch``); the dates document the renames."""

    repo: str
    path: str
    since: str | None = None
    until: str | None = None


@dataclass(frozen=True)
class Environments:
    """How a table's labels (tab > subheading > section) name an environment.

    ``labels``: (regex, environment) searched in order, case-insensitively; the first match wins.
    ``fallback``: the environment of a page whose feature tables carry no environment label at all.
    ``order``: the canonical vocabulary, in display order.
    """

    order: tuple[str, ...]
    fallback: str
    labels: tuple[tuple[str, str], ...]

    def patterns(self) -> tuple[tuple[re.Pattern[str], str], ...]:
        return tuple((re.compile(pattern, re.I), environment) for pattern, environment in self.labels)


@dataclass(frozen=True)
class Columns:
    """Column roles for the generic ``support`` dataset.

    The row label is the first column whose header is one of ``row_label_headers`` (case and spacing
    ignored), else column ``row_label``. A body cell is read as a support state when its header matches
    one of ``state_columns`` (regexes, case-insensitive; empty: every column) and none of
    ``value_columns``; otherwise it is kept as a value (a permission, a platform list, a plan name).
    """

    row_label: int = 0
    row_label_headers: tuple[str, ...] = ()
    state_columns: tuple[str, ...] = ()
    value_columns: tuple[str, ...] = ()


@dataclass(frozen=True)
class Bound:
    dataset: str
    min: int
    max: int


@dataclass(frozen=True)
class PageSpec:
    slug: str
    display_name: str  # short, for listings: "Defender for Containers"
    title: str  # the page's title at its newest known revision
    accepted_titles: tuple[str, ...]  # every title the page has had (validation accepts these)
    url: str  # what run fetches
    canonical_url: str  # <link rel=canonical> today
    former_urls: tuple[str, ...]  # canonical URLs of earlier names of the article
    allowed_hosts: tuple[str, ...]  # fetch and redirects may only reach these
    feed_id: str  # the Atom feed's id (a tag: URI, fixed forever)
    alert_title: str  # what alerts, feeds and the site call the page
    package_name: str  # the data package's name
    description: str  # one sentence for the data package
    keywords: tuple[str, ...]
    sources: tuple[Source, ...]
    environments: Environments | None  # None: the page is not split by environment
    datasets: tuple[str, ...]  # the richer datasets (RICH_DATASETS) the page has
    columns: Columns
    bounds: tuple[Bound, ...]
    bounds_basis: str  # which revisions the bounds come from, and the rule

    @property
    def all_datasets(self) -> tuple[str, ...]:
        """Every dataset the page publishes: the generic ones, then its richer ones."""
        return GENERIC_DATASETS + self.datasets

    @property
    def canonical_urls(self) -> tuple[str, ...]:
        return (self.canonical_url, *self.former_urls)

    @property
    def canonical_url_pattern(self) -> str:
        """A regex accepting exactly the page's canonical URLs (today's and its former names)."""
        bases = {url.rsplit("/", 1)[0] for url in self.canonical_urls}
        if len(bases) == 1 and len(self.canonical_urls) > 1:
            leaves = "|".join(_escape(url.rsplit("/", 1)[1]) for url in self.canonical_urls)
            return f"^{_escape(bases.pop())}/(?:{leaves})$"
        return "^(?:" + "|".join(_escape(url) for url in self.canonical_urls) + ")$"

    @property
    def repositories(self) -> tuple[str, ...]:
        """The source repositories, oldest first, each once."""
        return tuple(dict.fromkeys(s.repo for s in self.sources))

    @property
    def paths(self) -> tuple[str, ...]:
        """The source paths, newest name first, each once."""
        ordered = sorted(self.sources, key=lambda s: s.since or "", reverse=True)
        return tuple(dict.fromkeys(s.path for s in ordered))

    @property
    def row_bounds(self) -> dict[str, tuple[int, int]]:
        return {b.dataset: (b.min, b.max) for b in self.bounds}


def _escape(text: str) -> str:
    return _REGEX_SPECIAL.sub(r"\\\1", text)


def get(slug: str) -> PageSpec:
    """The page ``slug``; a UsageError listing the known slugs when there is none."""
    pages = _load_all()
    if slug not in pages:
        raise UsageError(f"unknown page {slug!r} (known: {', '.join(sorted(pages))})")
    return pages[slug]


def or_default(page: PageSpec | None) -> PageSpec:
    """``page``, or the default page when none is given (what every stage means by "no page named")."""
    return page if page is not None else get(DEFAULT)


def all_pages() -> tuple[PageSpec, ...]:
    """Every page, sorted by slug."""
    pages = _load_all()
    return tuple(pages[slug] for slug in sorted(pages))


def slugs() -> tuple[str, ...]:
    return tuple(sorted(_load_all()))


@cache
def _load_all() -> dict[str, PageSpec]:
    pages: dict[str, PageSpec] = {}
    for entry in sorted(resources.files(__name__).iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            spec = parse(entry.name, entry.read_text(encoding="utf-8"))
            pages[spec.slug] = spec
    return pages


# -- the file format --------------------------------------------------------------------------------

_STR, _INT, _STRS = "a string", "an integer", "a list of strings"

_TOP: dict[str, tuple[str, bool]] = {
    "slug": (_STR, True),
    "display_name": (_STR, True),
    "title": (_STR, True),
    "accepted_titles": (_STRS, True),
    "url": (_STR, True),
    "canonical_url": (_STR, True),
    "former_urls": (_STRS, False),
    "allowed_hosts": (_STRS, True),
    "feed_id": (_STR, True),
    "alert_title": (_STR, True),
    "package_name": (_STR, True),
    "description": (_STR, True),
    "keywords": (_STRS, False),
    "datasets": (_STRS, False),
    "sources": ("an array of tables", True),
    "environments": ("a table", False),
    "columns": ("a table", False),
    "bounds": ("a table", True),
}
_SOURCE = {"repo": (_STR, True), "path": (_STR, True), "since": (_STR, False), "until": (_STR, False)}
_ENVIRONMENTS = {"order": (_STRS, True), "fallback": (_STR, True), "labels": ("an array of tables", True)}
_LABEL = {"pattern": (_STR, True), "environment": (_STR, True)}
_COLUMNS = {
    "row_label": (_INT, False),
    "row_label_headers": (_STRS, False),
    "state_columns": (_STRS, False),
    "value_columns": (_STRS, False),
}


def parse(name: str, text: str) -> PageSpec:
    """One page file's text -> its spec; ``name`` (the file name) must be ``<slug>.toml``."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"page file {name}: not valid TOML: {exc}") from exc
    where = f"page file {name}"
    _check(where, "", data, _TOP)
    slug = data["slug"]
    if not _SLUG.match(slug) or name != f"{slug}.toml":
        raise UsageError(f"{where}: key 'slug' must be lowercase-dashed and the file named <slug>.toml, got {slug!r}")
    sources = tuple(_source(where, i, s) for i, s in enumerate(data["sources"]))
    if not sources:
        raise UsageError(f"{where}: key 'sources' must name at least one repository and path")
    datasets = tuple(data.get("datasets", ()))
    for dataset in datasets:
        if dataset not in RICH_DATASETS:
            raise UsageError(f"{where}: key 'datasets' has {dataset!r}, not one of {', '.join(RICH_DATASETS)}")
    spec = PageSpec(
        slug=slug,
        display_name=data["display_name"],
        title=data["title"],
        accepted_titles=tuple(data["accepted_titles"]),
        url=data["url"],
        canonical_url=data["canonical_url"],
        former_urls=tuple(data.get("former_urls", ())),
        allowed_hosts=tuple(data["allowed_hosts"]),
        feed_id=data["feed_id"],
        alert_title=data["alert_title"],
        package_name=data["package_name"],
        description=data["description"],
        keywords=tuple(data.get("keywords", ())),
        sources=sources,
        environments=_environments(where, data["environments"]) if "environments" in data else None,
        datasets=datasets,
        columns=_columns(where, data.get("columns", {})),
        bounds=(),
        bounds_basis="",
    )
    bounds, basis = _bounds(where, data["bounds"], spec.all_datasets)
    spec = replace(spec, bounds=bounds, bounds_basis=basis)
    _consistent(where, spec)
    return spec


def _check(where: str, prefix: str, data: dict[str, Any], keys: dict[str, tuple[str, bool]]) -> None:
    for key in data:
        if key not in keys:
            raise UsageError(f"{where}: unknown key {prefix + key!r} (known: {', '.join(keys)})")
    for key, (kind, required) in keys.items():
        if key not in data:
            if required:
                raise UsageError(f"{where}: missing key {prefix + key!r}")
            continue
        if not _is(kind, data[key]):
            raise UsageError(f"{where}: key {prefix + key!r} must be {kind}, got {data[key]!r}")


def _is(kind: str, value: Any) -> bool:
    if kind == _STR:
        return isinstance(value, str) and bool(value.strip())
    if kind == _INT:
        return isinstance(value, int) and not isinstance(value, bool) and value >= 0
    if kind == _STRS:
        return isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value)
    if kind == "a table":
        return isinstance(value, dict)
    return isinstance(value, list) and all(isinstance(v, dict) for v in value)


def _source(where: str, i: int, data: dict[str, Any]) -> Source:
    _check(where, f"sources[{i}].", data, _SOURCE)
    for key in ("since", "until"):
        if key in data and not _DATE.match(data[key]):
            raise UsageError(f"{where}: key 'sources[{i}].{key}' must be a date YYYY-MM-DD, got {data[key]!r}")
    return Source(data["repo"], data["path"], data.get("since"), data.get("until"))


def _environments(where: str, data: dict[str, Any]) -> Environments:
    _check(where, "environments.", data, _ENVIRONMENTS)
    labels = []
    for i, label in enumerate(data["labels"]):
        _check(where, f"environments.labels[{i}].", label, _LABEL)
        try:
            re.compile(label["pattern"])
        except re.error as exc:
            raise UsageError(f"{where}: key 'environments.labels[{i}].pattern' is not a regex: {exc}") from exc
        if label["environment"] not in data["order"]:
            raise UsageError(f"{where}: key 'environments.labels[{i}].environment' is not in environments.order")
        labels.append((label["pattern"], label["environment"]))
    if data["fallback"] not in data["order"]:
        raise UsageError(f"{where}: key 'environments.fallback' is not in environments.order")
    return Environments(tuple(data["order"]), data["fallback"], tuple(labels))


def _columns(where: str, data: dict[str, Any]) -> Columns:
    _check(where, "columns.", data, _COLUMNS)
    for key in ("state_columns", "value_columns"):
        for pattern in data.get(key, ()):
            try:
                re.compile(pattern)
            except re.error as exc:
                raise UsageError(f"{where}: key 'columns.{key}' has a bad regex {pattern!r}: {exc}") from exc
    return Columns(
        row_label=data.get("row_label", 0),
        row_label_headers=tuple(data.get("row_label_headers", ())),
        state_columns=tuple(data.get("state_columns", ())),
        value_columns=tuple(data.get("value_columns", ())),
    )


def _bounds(where: str, data: dict[str, Any], datasets: tuple[str, ...]) -> tuple[tuple[Bound, ...], str]:
    basis = data.get("basis")
    if not isinstance(basis, str) or not _is(_STR, basis):
        raise UsageError(f"{where}: key 'bounds.basis' must be a string saying which revisions the bounds come from")
    bounds = []
    for key, value in data.items():
        if key == "basis":
            continue
        if key not in datasets:
            raise UsageError(f"{where}: unknown key 'bounds.{key}' (datasets of this page: {', '.join(datasets)})")
        ok = isinstance(value, list) and len(value) == 2 and all(_is(_INT, v) for v in value)
        if not ok or value[0] > value[1]:
            raise UsageError(f"{where}: key 'bounds.{key}' must be [min, max] with 0 <= min <= max, got {value!r}")
        bounds.append(Bound(key, value[0], value[1]))
    missing = [d for d in datasets if d not in data]
    if missing:
        raise UsageError(f"{where}: missing key 'bounds.{missing[0]}' (every dataset of the page needs bounds)")
    return tuple(bounds), basis


def _consistent(where: str, spec: PageSpec) -> None:
    if spec.title not in spec.accepted_titles:
        raise UsageError(f"{where}: key 'title' must be one of accepted_titles")
    for key, url in (("url", spec.url), ("canonical_url", spec.canonical_url)):
        parts = urlsplit(url)
        if parts.scheme != "https" or parts.hostname not in spec.allowed_hosts:
            raise UsageError(f"{where}: key {key!r} must be an https URL on one of allowed_hosts, got {url!r}")
