"""The steps every job shares (pure): one page revision from raw bytes to every dataset, and its metadata.

The recipe is load -> build -> validate -> store -> diff -> publish. ``run`` (a page fetched today),
``accept`` (a quarantined page a person checked) and ``backfill`` (the page's authored history) all go
through these functions, so they cannot drift apart: ``build`` runs extract, then normalise, and returns
all frames by name; ``snapshot_meta`` is what the store records of a revision; ``from_snapshot`` turns a
stored revision back into the fetched page it was built from.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .model import Document

if TYPE_CHECKING:
    import pandas as pd

    from .extract.datasets import FetchInfo
    from .fetch import Fetched
    from .pages import PageSpec
    from .store.snapshots import Snapshot


@dataclass(frozen=True)
class Revision:
    document: Document
    frames: dict[str, pd.DataFrame]
    spec: PageSpec

    @property
    def page(self) -> dict[str, object]:
        return {str(k): v for k, v in self.frames["page"].iloc[0].to_dict().items()}


def build(body: bytes, fetched: FetchInfo, spec: PageSpec | None = None) -> Revision:
    """Every dataset of the page ``spec`` (default: ``pipeline.pages.DEFAULT``) from its bytes."""
    # imported here: a run that finds the page unchanged never needs lxml, the normaliser or pandas
    from .extract import extract
    from .extract.datasets import extracted_frames
    from .normalise import normalise
    from .pages import or_default

    spec = or_default(spec)
    document = extract(body)
    frames = extracted_frames(document, fetched)
    frames.update(normalise(document, spec))
    return Revision(document, frames, spec)


def from_snapshot(snapshot: Snapshot) -> Fetched:
    """The snapshot's page as if fetched again, with its original provenance."""
    from .fetch import Fetched

    return Fetched.from_meta(snapshot.meta, snapshot.page_bytes())


def snapshot_meta(revision: Revision, fetched: Fetched) -> dict[str, object]:
    page = revision.frames["page"].iloc[0]
    keys = ("source", "final_url", "fetched_at", "http_status", "etag", "last_modified", "sha256", "bytes")
    meta: dict[str, object] = {k: _plain(page[k]) for k in keys}
    for k in ("git_commit_id", "ms_date", "updated_at", "provenance", "title", "canonical_url"):
        meta[k] = _plain(page[k])
    meta["page"] = revision.spec.slug  # which page's store it belongs to (provenance; validation reads it back)
    return meta


def page_of(meta: Mapping[str, object] | None) -> PageSpec:
    """The page a stored revision belongs to (snapshots stored before pages existed: the default page)."""
    from .pages import DEFAULT, get

    slug = meta.get("page") if meta else None
    return get(slug if isinstance(slug, str) else DEFAULT)


def _plain(value: object) -> object:
    import pandas as pd

    if value is None or (not isinstance(value, (list, dict, str)) and pd.isna(value)):  # type: ignore[call-overload]
        return None
    return value.item() if hasattr(value, "item") else value
