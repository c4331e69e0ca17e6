"""The static JSON API beside the files (endoflife.date-style), and one Atom feed per environment.

Written into the publication being built (I/O only to that folder; the content
is a pure function of the frames and the revision, so it is deterministic)::

    api/v1/index.json                        every endpoint below, with what it holds
    api/v1/features/<environment>.json       the current features of one environment, each with its
                                             feature x resource x platform states and since when
    api/v1/changes/<YYYY-MM-DD>.json         the changes detected that day (UTC)
    api/v1/changes/since/<YYYY-MM-DD>.json   the changes detected that day or later, for the
                                             SINCE_DAYS days up to the published revision's date
    api/v1/feeds/<environment>.atom          Atom feed of that environment's changes

``<environment>`` is the environment's slug (``azure``, ``aws``, ``gcp``,
``arc-enabled-kubernetes``, ``external-registries``).  Times are ISO-8601 UTC.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._io import conform, json_bytes, parse_time, records
from ..schema import DATASETS, SCHEMA_VERSION
from ..vocabulary import ENVIRONMENTS

if TYPE_CHECKING:
    import pandas as pd

API = "api/v1"
SINCE_DAYS = 31  # "since" files for the last month: older questions are one filter on latest/changes.*
_FEATURE_FIELDS = (
    "feature",
    "feature_key",
    "section",
    "description",
    "resources",
    "linux_state",
    "linux_note",
    "windows_state",
    "windows_note",
    "enablement",
    "plans",
    "clouds",
)
_SUPPORT_FIELDS = ("resource", "platform", "state", "note", "state_since", "state_since_ms_date", "first_seen")


def slug(environment: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", environment.lower()).strip("-")


def _records(frames: dict[str, pd.DataFrame], name: str) -> list[dict[str, Any]]:
    dataset = DATASETS[name].published()
    frame = frames.get(name)
    if frame is None:  # a page without the richer datasets
        return []
    if not all(c in frame.columns for c in dataset.names):
        dataset = DATASETS[name]
    return records(conform(frame, dataset), dataset)


def features(rows: list[dict[str, Any]], support_rows: list[dict[str, Any]], environment: str) -> list[dict[str, Any]]:
    """One object per features row of ``environment``, with its feature_support rows nested."""
    support: dict[str, list[dict[str, Any]]] = {}
    for r in support_rows:
        if r["environment"] == environment:
            support.setdefault(r["feature_key"], []).append({k: r.get(k) for k in _SUPPORT_FIELDS})
    out = []
    for f in rows:
        if f["environment"] == environment:
            out.append({**{k: f[k] for k in _FEATURE_FIELDS}, "support": support.get(f["feature_key"], [])})
    return out


def _day(detected_at: Any) -> str:
    return str(detected_at)[:10]


def write(root: Path, frames: dict[str, pd.DataFrame], revision: dict[str, Any], *, site_url: str | None) -> None:
    from . import _feed

    api = root / API
    history = _records(frames, "changes")
    about = {k: revision.get(k) for k in ("id", "ms_date", "git_commit_id", "fetched_at")}
    endpoints: list[dict[str, Any]] = []

    def put(rel: str, body: Any, what: str) -> None:
        path = api / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body if isinstance(body, bytes) else json_bytes(body))
        endpoints.append({"path": f"{API}/{rel}", "description": what})

    rows, support = _records(frames, "features"), _records(frames, "feature_support")
    environments = [e for e in ENVIRONMENTS if any(f["environment"] == e for f in rows)]
    for env in environments:
        body = {"environment": env, "revision": about, "features": features(rows, support, env)}
        put(f"features/{slug(env)}.json", body, f"current features on {env}, with states and since when")
    days = sorted({_day(r["detected_at"]) for r in history if r.get("detected_at")})
    for day in days:
        put(f"changes/{day}.json", [r for r in history if _day(r["detected_at"]) == day], f"changes detected on {day}")
    if revision.get("fetched_at"):
        last = parse_time(str(revision["fetched_at"])).date()
        for n in range(SINCE_DAYS):
            day = (last - timedelta(days=n)).isoformat()
            recent = [r for r in history if _day(r["detected_at"]) >= day]
            put(f"changes/since/{day}.json", recent, f"changes detected on {day} or later")
    frame = frames["changes"]
    on_site = _feed.shown_on_site(frame)
    for env in environments:
        subset = frame[frame["environment"] == env]
        feed = _feed.atom(subset, revision, site_url=site_url, scope=(slug(env), env), on_site=on_site)
        put(f"feeds/{slug(env)}.atom", feed, f"Atom feed of the changes on {env}")
    index = {
        "version": SCHEMA_VERSION,
        "revision": about,
        "since_days": SINCE_DAYS,
        "environments": {slug(e): e for e in environments},
        "endpoints": endpoints,
    }
    (api / "index.json").write_bytes(json_bytes(index))
