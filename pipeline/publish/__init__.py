"""Publish one revision to ``output/``: build aside, check, then swap in.

Layout of the published site root::

    output/
      index.html                       the matrix, notes, footnotes, change timeline, downloads
      datapackage.json                 Frictionless Data Package: every file's bytes, sha256, rows, schema
      changes.atom                     Atom 1.0 feed, one entry per page revision with changes
      changes.md                       the changelog, by day of detection
      api/v1/...                       the static JSON API and per-environment feeds (pipeline.publish._api)
      schema/<dataset>.schema.json     JSON Schema (2020-12) of latest/<dataset>.json
      latest/<dataset>.parquet|json|csv  (feature_support with state_since/first_seen; timeline)

The new tree is built in a temporary folder next to ``output/``, every file
is read back and checked against the descriptor, and only then is it swapped
in (:mod:`pipeline.publish._swap`): a crash or kill at any point leaves the previous
``output/`` complete, and the next publish cleans up after it.  The same
inputs always publish the same bytes: the only time inside is the revision's
recorded fetch time and the history's detection times.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._io import json_bytes, write_dataset
from ..errors import PublishError
from ..pages import DEFAULT
from ..schema import DATASETS, PUBLISHED
from . import _swap
from ._datapackage import FORMATS, descriptor, json_schema
from ._verify import check

if TYPE_CHECKING:
    import pandas as pd

# Test hook: `SUPPORTMATRIX_PUBLISH_CRASH_AT=<step>` kills the process (os._exit(9)) at that step,
# so tests can prove that a kill anywhere leaves the previous output/ intact.
CRASH_ENV = "SUPPORTMATRIX_PUBLISH_CRASH_AT"
CRASH_STEPS = ("writing", "written", "checked", "moved-old", "swapped")
DATASET_NAMES = (*PUBLISHED, "changes", "timeline")
SITE_URL_ENV = "SUPPORTMATRIX_SITE_URL"
_REVISION_KEYS = (
    "sha256",
    "ms_date",
    "git_commit_id",
    "updated_at",
    "fetched_at",
    "provenance",
    "title",
    "canonical_url",
    "source",
)


def publish(output: Path, frames: dict[str, pd.DataFrame], changes: pd.DataFrame | None, meta: dict[str, Any]) -> Path:
    """Publish ``frames`` (every dataset in ``schema.PUBLISHED``) and the change history to ``output``.

    ``meta`` is the snapshot's meta (``id``, ``ms_date``, ``git_commit_id``, ``fetched_at`` ...; the page
    dataset fills in what is missing) plus an optional ``site_url`` for absolute links in the feeds
    (default: ``$SUPPORTMATRIX_SITE_URL``, as the alerts read it; run.py passes none).
    """
    output = Path(output).absolute()
    from ..steps import page_of

    missing = [n for n in PUBLISHED if n not in frames and n in page_of(meta).all_datasets]
    if missing:
        raise PublishError(f"nothing to publish for dataset(s) {', '.join(missing)}")
    if changes is None:
        from ..diff import empty

        changes = empty()
    history = changes
    revision = revision_info(frames, meta)
    site_url = meta.get("site_url") or _page_site(os.environ.get(SITE_URL_ENV, ""), revision["page"])
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        with _swap.locked(output.parent):
            _swap.recover(output)
            staging = _swap.staging_dir(output)
            try:
                build_site(staging, {**frames, "changes": history}, revision, site_url=site_url)
                _swap.fsync_tree(staging)
                _crash_point("written")
                check(staging)
                _crash_point("checked")
                _swap.swap_in(staging, output, hook=_crash_point, exchange=_swap_exchange())
            finally:
                if staging.exists():
                    shutil.rmtree(staging, ignore_errors=True)
    except OSError as exc:
        raise PublishError(f"could not publish to {output}: {exc}") from exc
    return output


def build_site(root: Path, frames: dict[str, pd.DataFrame], revision: dict[str, Any], *, site_url: Any = None) -> None:
    """Write the whole publication into the empty folder ``root`` (no checks, no swap)."""
    from . import _api, _feed, _site

    latest = root / "latest"
    if "feature_support" in frames:  # state_since and the timeline: the richer datasets' history views
        frames = {**frames, **_history_views(frames, revision)}
    names = [n for n in DATASET_NAMES if n in frames]
    rows = {}
    for i, name in enumerate(names):
        try:
            write_dataset(frames[name], latest, name, formats=FORMATS, dataset=DATASETS[name].published())
        except (ValueError, TypeError) as exc:
            raise PublishError(f"cannot write dataset {name}: {exc}") from exc
        rows[name] = len(frames[name])
        if i == 0:
            _crash_point("writing")
    datasets = [DATASETS[n].published() for n in names]
    (root / "schema").mkdir()
    for ds in datasets:
        (root / "schema" / f"{ds.name}.schema.json").write_bytes(json_bytes(json_schema(ds)))
    desc = descriptor(root, datasets, rows, revision)
    (root / "datapackage.json").write_bytes(json_bytes(desc))
    history = frames["changes"]
    site = str(site_url) if site_url else None
    (root / "changes.atom").write_bytes(_feed.atom(history, revision, site_url=site))
    (root / "changes.md").write_bytes(_feed.changelog(history, revision).encode("utf-8"))
    (root / "index.html").write_bytes(_site.render(frames, history, revision, desc))
    _api.write(root, frames, revision, site_url=site)


def _history_views(frames: dict[str, pd.DataFrame], revision: dict[str, Any]) -> dict[str, pd.DataFrame]:
    """feature_support with state_since/first_seen, and the timeline, from the history."""
    import pandas as pd

    from .._io import conform, records
    from ..diff import timeline

    changes, support = DATASETS["changes"], DATASETS["feature_support"]
    try:
        history = records(conform(frames["changes"], changes), changes)
        current = records(conform(frames["feature_support"], support), support)
    except (ValueError, KeyError) as exc:
        raise PublishError(f"cannot read the change history: {exc}") from exc
    published = support.published()
    since = pd.DataFrame(timeline.since(history, current, revision), columns=published.names, dtype=object)
    names = DATASETS["timeline"].names
    intervals = pd.DataFrame(timeline.timeline(history, current, revision), columns=names, dtype=object)
    return {"feature_support": since, "timeline": intervals}


def revision_info(frames: dict[str, pd.DataFrame], meta: dict[str, Any]) -> dict[str, Any]:
    """The revision being published: the page dataset's facts, completed from the snapshot meta."""
    from .._io import records

    page_rows = records(frames["page"], DATASETS["page"]) if "page" in frames else []
    page = page_rows[0] if page_rows else {}
    info = {k: page.get(k) if page.get(k) is not None else meta.get(k) for k in _REVISION_KEYS}
    sha = info.get("sha256")
    info["id"] = meta.get("id") or (str(sha)[:16] if sha else None)
    info["page"] = meta.get("page") or DEFAULT  # the page's slug: titles, feed ids and links come from its spec
    return info


def recover(output: Path) -> list[str]:
    """Clean up after a killed publish (the next publish also does this first)."""
    output = Path(output).absolute()
    if not output.parent.exists():
        return []
    with _swap.locked(output.parent):
        return _swap.recover(output)


def _page_site(site: str, slug: str) -> str | None:
    """The page's own address under the site (``$SUPPORTMATRIX_SITE_URL`` serves the output root)."""
    site = site.strip().rstrip("/")
    return f"{site}/{slug}" if site else None


def _swap_exchange() -> bool:
    # SUPPORTMATRIX_PUBLISH_NO_EXCHANGE=1 forces the two-rename swap (tests cover both paths)
    return os.environ.get("SUPPORTMATRIX_PUBLISH_NO_EXCHANGE") != "1"


def _crash_point(step: str) -> None:
    if os.environ.get(CRASH_ENV) == step:
        os._exit(9)
