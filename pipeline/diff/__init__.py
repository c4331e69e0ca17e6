"""Typed support changes between two revisions (pure: frames and metadata in, a frame out).

Rows are compared by meaning, never by position: each dataset is matched on
its key (feature_support: environment, feature_key, resource, platform),
then on successively looser keys, so a reordered, re-emphasised, split or
moved row matches its old self and yields nothing.  What is left is a typed
change:

- feature_support: ``added`` / ``removed`` (a feature x resource x platform appeared or
  vanished), ``promoted`` (Not available -> Preview/GA, Preview -> GA), ``demoted`` (the
  reverse), ``state_changed`` (any other: Unknown, empty), ``note_changed`` (the state's
  qualifier changed, the state did not);
- features: ``attribute_changed`` (enablement, plans, clouds, description, extra columns;
  field "feature" for a renamed feature), ``footnote_changed`` (one record per citing feature);
- support_items: ``added``, ``removed``, ``moved`` (Supported <-> Unsupported), ``footnote_changed``;
- os_versions: ``added``, ``removed``, ``extended``, ``narrowed``, ``changed`` (versions, note);
- notes: ``added``, ``removed``, ``changed`` (reworded, or another kind of box);
- page: ``restructured`` (a drift failure confirmed against the authored source) and ``accepted``
  (a quarantined page a person accepted), when the newer revision's meta records one
  (:func:`pipeline.validate.corroborate.page_changes`).

``change_id`` hashes the change's content (kind, dataset, keys, field, old,
new) and not the revisions, so the same change seen twice has one id, while a
flap (GA -> Preview -> GA) is two different changes.
"""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Any

from ..schema import CHANGES
from ._common import Change, Side, plain

if TYPE_CHECKING:
    import pandas as pd

KINDS = (
    "promoted",
    "demoted",
    "state_changed",
    "added",
    "removed",
    "moved",
    "extended",
    "narrowed",
    "changed",
    "note_changed",
    "attribute_changed",
    "footnote_changed",
    "baseline",
    "restructured",
    "accepted",
)
SEVERITIES = ("high", "medium", "low")
_DATASET_ORDER = ("page", "support", "feature_support", "features", "support_items", "os_versions", "notes")


def diff(
    old: dict[str, pd.DataFrame],
    new: dict[str, pd.DataFrame],
    old_meta: dict[str, Any] | None = None,
    new_meta: dict[str, Any] | None = None,
) -> pd.DataFrame:
    """Every support change from ``old`` to ``new``, one row each, in the ``changes`` schema.

    ``old_meta``/``new_meta`` describe the revisions (snapshot meta: ``id`` or
    ``sha256``, ``ms_date``, ``git_commit_id``, ``fetched_at``); missing
    values are read from each side's ``page`` dataset.
    """
    from ..steps import page_of
    from ..validate.corroborate import page_changes

    # a page with the richer datasets has its typed changes there: the long support matrix would say them twice
    matrix = not page_of(new_meta).datasets
    changes = [*page_changes(new_meta or {}), *compare(old, new, matrix=matrix)]
    return to_frame(changes, revision_meta(old, old_meta), revision_meta(new, new_meta))


def compare(old: dict[str, pd.DataFrame], new: dict[str, pd.DataFrame], *, matrix: bool = False) -> list[Change]:
    """The typed changes, without revision metadata (``matrix``: of the long ``support`` dataset too)."""
    # imported here: alerts and the store read change records (summary, Change) on an unchanged day too
    from ._features import feature_changes
    from ._items import item_changes, os_changes
    from ._matrix import matrix_changes
    from ._notes import note_changes
    from ._support import support_changes

    old, new = prepare(old), prepare(new)
    support, renamed = support_changes(old, new)
    found = [
        *(matrix_changes(old, new) if matrix else []),
        *support,
        *feature_changes(old, new, renamed),
        *item_changes(old, new),
        *os_changes(old, new),
        *note_changes(old, new),
    ]
    unique: dict[str, Change] = {}
    for change in found:
        unique.setdefault(change_id(change), change)
    return sorted(unique.values(), key=_order)


def prepare(frames: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The frames, wrapped so that what the diff derives from them is kept: pass the result to
    several :func:`diff` calls (a replay compares each revision twice) to derive it once.
    The frames must not change afterwards."""
    return frames if isinstance(frames, Side) else Side(frames)


def change_id(change: Change) -> str:
    text = json.dumps(change.content(), ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _order(c: Change) -> tuple[Any, ...]:
    return (
        _DATASET_ORDER.index(c.dataset) if c.dataset in _DATASET_ORDER else len(_DATASET_ORDER),
        c.environment or "",
        c.feature or "",
        c.resource or "",
        c.platform or "",
        c.subject or "",
        c.field or "",
        KINDS.index(c.kind) if c.kind in KINDS else len(KINDS),
        change_id(c),
    )


def revision_meta(frames: dict[str, pd.DataFrame] | None, meta: dict[str, Any] | None = None) -> dict[str, Any]:
    """id, ms_date, git_commit_id and detected_at of a revision: ``meta`` first, then its page row."""
    out: dict[str, Any] = {}
    page = frames.get("page") if frames else None
    if page is not None and len(page):
        out.update({str(k): plain(v) for k, v in page.iloc[0].to_dict().items()})
    out.update({k: v for k, v in (meta or {}).items() if v is not None})
    ident = out.get("id") or (str(out["sha256"])[:16] if out.get("sha256") else None)
    return {
        "id": ident,
        "ms_date": out.get("ms_date"),
        "git_commit_id": out.get("git_commit_id"),
        "detected_at": out.get("fetched_at") or out.get("updated_at"),
    }


def to_frame(changes: list[Change], old_meta: dict[str, Any], new_meta: dict[str, Any]) -> pd.DataFrame:
    import pandas as pd

    records = []
    for c in changes:
        records.append(
            {
                "change_id": change_id(c),
                "kind": c.kind,
                "dataset": c.dataset,
                "environment": c.environment,
                "feature": c.feature,
                "resource": c.resource,
                "platform": c.platform,
                "subject": c.subject,
                "field": c.field,
                "old": c.old,
                "new": c.new,
                "summary": c.summary,
                "severity": c.severity,
                "old_revision": old_meta.get("id"),
                "new_revision": new_meta.get("id") or "",
                "old_ms_date": old_meta.get("ms_date"),
                "new_ms_date": new_meta.get("ms_date"),
                "old_git_commit_id": old_meta.get("git_commit_id"),
                "new_git_commit_id": new_meta.get("git_commit_id"),
                "detected_at": new_meta.get("detected_at") or "",
            }
        )
    return pd.DataFrame(records, columns=CHANGES.names, dtype=object)


def baseline_event(old_meta: dict[str, Any], new_meta: dict[str, Any]) -> pd.DataFrame:
    """The one record saying a page became the baseline in place of a snapshot that was no authored page
    (reconstructed by hand from a partial capture): what the capture lacked is not a change of support,
    so nothing is diffed, and the history says why."""
    old, new = revision_meta(None, old_meta), revision_meta(None, new_meta)
    provenance = old_meta.get("provenance")
    change = Change(
        kind="baseline",
        dataset="page",
        summary=(
            f"Snapshot {new['id']} is the new baseline: the previous snapshot {old['id']} was {provenance}, "
            "not the authors' page, so differences from it are not reported as changes."
        ),
        severity="low",
        subject=str(old["id"]),
        field="provenance",
        old=str(provenance) if provenance is not None else None,
        new=str(new_meta.get("provenance")) if new_meta.get("provenance") is not None else None,
    )
    return to_frame([change], old, new)


def empty() -> pd.DataFrame:
    """A changes frame with no rows (a baseline run)."""
    import pandas as pd

    return pd.DataFrame({c: pd.Series([], dtype=object) for c in CHANGES.names})
