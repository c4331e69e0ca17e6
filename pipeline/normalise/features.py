"""Feature tables -> ``features`` rows (one per body row) and ``feature_support`` rows
(one per feature row x resource x platform).

Columns are recognised by header, case-insensitively: Domain, "Domain - Feature"
(split at the first " - "), Feature, Description, Supported resources,
"<platform> release state" / "Release state", "Windows support", Enablement
method, Plans / Pricing tier, "<...> clouds availability". Every other column
(Sensor, Agent, Agentless/Agent-based, Learn's padding columns when not empty)
goes to ``extra`` by header, as does the raw text of a mapped column whose
normalising dropped something (a plan qualifier, a bare "Release state" column).

feature_key: ``<environment>|<feature>`` with the feature name normalised
(case, Unicode form, dashes and spacing around " - ", trailing "."/":"). When
two rows of one revision share it, all of them get more identifying content
appended, in this order until they differ: ``|<resources, sorted>``,
``|<section>``, ``|<subheading>``, ``|<domain>`` (a part is appended only when
it differs among the colliding rows); rows identical in all of it get ``|#1``,
``|#2`` by their content (they are interchangeable). Row order,
formatting and other rows' content never enter a key, except that a key gains
a suffix while another row with the same name exists in the same environment.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from ..errors import NormaliseError
from ..model import Cell, Table
from ..vocabulary import NO_RESOURCE
from . import lists, states
from ._common import Context, clean, key_text, where

_DOMAIN_FEATURE = re.compile(r"^domain\s*-\s*feature$")
_DOMAIN_SPLIT = re.compile(r"\s+-\s+")
_EMPTY = Cell("")


def _role(header: str) -> tuple[str, str | None]:
    h = clean(header).lower()
    if h == "domain":
        return "domain", None
    if _DOMAIN_FEATURE.match(h):
        return "domain_feature", None
    if h == "feature":
        return "feature", None
    if h == "description":
        return "description", None
    if h in ("supported resources", "supported resource", "resources"):
        return "resources", None
    if states.is_state_header(header):
        return "state", states.header_platform(header)
    if states.is_windows_support_header(header):
        return "windows_support", None
    if h.startswith("enablement"):
        return "enablement", None
    if h in ("plans", "plan", "pricing tier", "pricing tiers"):
        return "plans", None
    if "cloud" in h and h.endswith("availability"):
        return "clouds", None
    return "extra", None


def _roles(table: Table) -> list[tuple[str, str | None]]:
    roles: list[tuple[str, str | None]] = []
    taken: set[str] = set()
    has_windows = any(
        states.is_windows_support_header(h) or (states.is_state_header(h) and states.header_platform(h) == "Windows")
        for h in table.headers
    )
    for header in table.headers:
        role, platform = _role(header)
        if role == "state":
            platform = platform or ("Linux" if has_windows else "Any")
            role_id = f"state:{platform}"
        else:
            role_id = role
        if role != "extra" and role_id in taken:
            role, platform = "extra", None  # a repeated column keeps its text in extra
        taken.add(role_id)
        roles.append((role, platform))
    return roles


def table_rows(table: Table, ctx: Context) -> list[dict[str, Any]]:
    """The features rows of one feature table (feature_key not yet assigned)."""
    roles = _roles(table)
    scope = table.scope
    environment, label = ctx.environment(scope, required=True, position=ctx.table_position(table.index))
    if environment is not None and environment not in ctx.envs.order:
        ctx.flag("unmapped environment", where(scope, table.index), repr(environment))
    if not any(role in ("state", "windows_support") for role, _ in roles):
        ctx.flag("no release-state column", where(scope, table.index), repr(table.headers))
    out: list[dict[str, Any]] = []
    last_domain: str | None = None
    for r, cells in enumerate(table.rows):
        row: dict[str, Any] = {
            "table_index": table.index,
            "row": r,
            "section": scope.section,
            "environment": environment,
            "environment_label": label,
            "domain": None,
            "feature": "",
            "description": None,
            "resources": [],
            "linux_state": None,
            "linux_note": None,
            "windows_state": None,
            "windows_note": None,
            "enablement": None,
            "plans": [],
            "clouds": [],
        }
        extra: dict[str, str] = {}
        platforms: dict[str, tuple[str | None, str | None]] = {}
        windows_cell: str | None = None
        for c, (role, platform) in enumerate(roles):
            cell = cells[c] if c < len(cells) else _EMPTY
            value = cell.value
            header = table.headers[c]
            if role == "domain":
                last_domain = value or last_domain
                row["domain"] = last_domain
            elif role == "domain_feature":
                parts = _DOMAIN_SPLIT.split(value, maxsplit=1)
                row["domain"], row["feature"] = (parts[0], parts[1]) if len(parts) == 2 else (None, value)
            elif role == "feature":
                row["feature"] = value
            elif role == "description":
                row["description"] = value or None
            elif role == "resources":
                row["resources"] = lists.split_resources(value)
            elif role == "state":
                assert platform is not None
                platforms[platform] = states.parse_state(value)
                if platform not in ("Linux", "Windows"):
                    extra[header] = value
            elif role == "windows_support":
                windows_cell = value
            elif role == "enablement":
                row["enablement"] = value or None
            elif role == "plans":
                row["plans"], qualifier = lists.split_plans(value)
                if qualifier:
                    extra[header] = value
            elif role == "clouds":
                row["clouds"] = lists.split_clouds(value)
                for unknown in lists.unknown_clouds(row["clouds"]):
                    ctx.flag("unknown cloud", where(scope, table.index, r), repr(unknown))
            elif header or value:
                extra[header or f"column {c + 1}"] = value
        if windows_cell is not None:
            linux_state, linux_note = platforms.get("Linux", (None, None))
            platforms["Windows"] = states.windows_support(windows_cell, linux_state, linux_note)
            if platforms["Windows"][0] is None and windows_cell:
                ctx.flag("check mark without release state", where(scope, table.index, r), repr(windows_cell))
        row["linux_state"], row["linux_note"] = platforms.get("Linux", (None, None))
        row["windows_state"], row["windows_note"] = platforms.get("Windows", (None, None))
        for platform, (state, note) in platforms.items():
            if state == states.UNKNOWN:
                ctx.flag("unknown release state", where(scope, table.index, r), f"{platform}: {note!r}")
        if not row["feature"]:
            ctx.flag("empty feature name", where(scope, table.index, r), "")
        markers = [m for cell in cells for m in cell.footnotes]
        anchors = [a for cell in cells for a in cell.anchors]
        row["footnotes"] = ctx.resolver.texts(markers, anchors, table.index, scope)
        row["extra"] = json.dumps(extra, ensure_ascii=False, sort_keys=True)
        row["_platforms"] = sorted(platforms.items(), key=_platform_order)
        row["_subheading"] = scope.subheading
        out.append(row)
    return out


_DISAMBIGUATORS: tuple[Callable[[dict[str, Any]], str], ...] = (
    lambda row: ",".join(sorted(key_text(r) for r in row["resources"])),
    lambda row: key_text(row["section"]),
    lambda row: key_text(row["_subheading"]),
    lambda row: key_text(row["domain"]),
)


def assign_keys(rows: list[dict[str, Any]], ctx: Context) -> None:
    """Set ``feature_key`` on every row (see the module docstring)."""
    keys = [f"{row['environment']}|{key_text(row['feature'])}" for row in rows]
    for part in _DISAMBIGUATORS:
        for group in _collisions(keys):
            values = [part(rows[i]) for i in group]
            if len(set(values)) > 1:  # a part every colliding row shares tells nothing apart
                for i, value in zip(group, values):
                    keys[i] = f"{keys[i]}|{value}"
    for group in _collisions(keys):
        ctx.flag("identical feature rows", keys[group[0]], f"{len(group)} rows")
        ordered = sorted(group, key=lambda i: json.dumps(_content(rows[i]), sort_keys=True, default=str))
        for n, i in enumerate(ordered, start=1):
            keys[i] = f"{keys[i]}|#{n}"
    if _collisions(keys):
        raise NormaliseError("feature keys are not unique after disambiguation")
    for row, key in zip(rows, keys):
        row["feature_key"] = key


def _collisions(keys: list[str]) -> list[list[int]]:
    groups: dict[str, list[int]] = defaultdict(list)
    for i, key in enumerate(keys):
        groups[key].append(i)
    return [g for g in groups.values() if len(g) > 1]


def _content(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k not in ("table_index", "row") and not k.startswith("_")}


_PLATFORM_ORDER = {"Linux": 0, "Windows": 1, "Any": 2}


def _platform_order(item: tuple[str, Any]) -> tuple[int, str]:
    return _PLATFORM_ORDER.get(item[0], 3), item[0]


def support_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """feature_support: one row per feature row x resource (``NO_RESOURCE`` when none) x platform."""
    out = []
    for row in rows:
        for resource in row["resources"] or [NO_RESOURCE]:
            for platform, (state, note) in row["_platforms"]:
                out.append(
                    {
                        "environment": row["environment"],
                        "section": row["section"],
                        "feature": row["feature"],
                        "resource": resource,
                        "platform": platform,
                        "state": state,
                        "note": note,
                        "feature_key": row["feature_key"],
                    }
                )
    return out
