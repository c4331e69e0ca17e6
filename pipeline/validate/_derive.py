"""Small derived frames that turn cross-table rules into columns a built-in expectation can check (pure).

Each function takes the revision's frames (and the previous good revision's, for drift) and returns a
DataFrame; the rule itself (value sets, bounds, regexes) lives in the suite JSON, not here.

- ``schema``: one row per declared or observed column, with its observed type and whether it is null-free
  (empty text counts as null: CSV cannot tell them apart);
- ``revision``: one row of whole-revision counts (Unknown states, dangling footnote references);
- ``sections``: one row per H2 section holding tables (and per tab of a feature section);
- ``feature_tables``: one row per feature table, naming the core columns it has;
- ``versions``: one row per version string (range bounds and listed versions);
- ``version_ranges``: one row per OS line with both a lowest and a highest version, as sortable keys;
- ``drift``: one row comparing this revision with the previous good one.
"""

from __future__ import annotations

import itertools
import math
import re
from typing import TYPE_CHECKING, Any

from ..schema import DATASETS, PUBLISHED, memory_type
from . import thresholds

if TYPE_CHECKING:
    import pandas as pd

    from ..pages import PageSpec

Frames = dict[str, "pd.DataFrame"]

UNKNOWN = "Unknown"
MISSING = "missing"
_SUPPORT_KEY = ("environment", "feature_key", "resource", "platform")
_VERSION_PART = re.compile(r"\d+")


def _is_null(value: Any) -> bool:
    # None, NaN (float or numpy) and pandas.NA; lists and strings are values
    if value is None or type(value).__name__ == "NAType":
        return True
    return isinstance(value, float) and math.isnan(value)


def _values(frame: pd.DataFrame | None, column: str) -> list[Any]:
    """A column as plain Python values, nulls as None (whatever the dtype or source: pandas or Parquet)."""
    if frame is None or column not in frame.columns:
        return []
    return [None if _is_null(v) else v for v in frame[column].tolist()]


# -- schema -----------------------------------------------------------------------------------------


def observed_type(series: pd.Series) -> str:
    """The schema type a column's values have: int64, bool, string, list<string>, or what they are instead.

    Judged on the values, not only the dtype, because Parquet round trips turn nullable ints into
    floats and strings into objects. A column with no values cannot contradict its declaration:
    it reports ``empty``, which every declared type accepts.
    """
    import pandas as pd

    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return "bool"
    if pd.api.types.is_integer_dtype(dtype):
        return "int64"
    if isinstance(dtype, pd.StringDtype):
        return "string" if series.notna().any() else "empty"
    if pd.api.types.is_object_dtype(dtype):
        # frames are built with object strings (pipeline.extract.datasets.frame): one C pass answers the common cases
        inferred = pd.api.types.infer_dtype(series, skipna=True)
        if inferred in ("string", "empty"):
            return inferred
    values = [v for v in series.tolist() if not _is_null(v)]
    if not values:
        return "empty"
    if pd.api.types.is_float_dtype(dtype):
        return "int64" if all(float(v).is_integer() for v in values) else "float64"
    kinds = {_kind(v) for v in values}
    return kinds.pop() if len(kinds) == 1 else "mixed(" + ",".join(sorted(kinds)) + ")"


def _kind(value: Any) -> str:
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int64"
    if hasattr(value, "tolist"):  # numpy arrays from Parquet
        value = value.tolist()
    if isinstance(value, (list, tuple)):
        return "list<string>" if all(isinstance(i, str) for i in value) else "list"
    return type(value).__name__


def storage_type(declared: str) -> str:
    """The type a declared column is checked as: its in-memory type (JSON and timestamps are text)."""
    return memory_type(declared)


def schema(frames: Frames, names: tuple[str, ...] = PUBLISHED) -> pd.DataFrame:
    """``names``: the datasets the page publishes (default: all of them)."""
    import pandas as pd

    labels: list[str] = []
    types: list[str] = []
    no_nulls: list[str | None] = []
    for name in names:
        dataset = DATASETS[name]
        frame = frames.get(name)
        columns = list(dataset.names)
        series: dict[str, pd.Series] = {}
        if frame is not None:
            series = {str(c): v for c, v in frame.items()}  # one pass: frame[column] costs more per call
            columns += [c for c in series if c not in dataset.names]
        for column in columns:
            label = f"{name}.{column}"
            labels.append(label)
            if column not in series:
                types.append(f"{label}: {MISSING}")
                no_nulls.append(None)
                continue
            kind, has_nulls = _column_type(series[column])
            if kind == "empty" and column in dataset.names:
                kind = storage_type(dataset.column(column).type)
            if kind == "string" and not has_nulls:
                # empty text is null to every CSV reader (Table Schema): a required column may not hold it
                has_nulls = bool((series[column].to_numpy(dtype=object) == "").any())
            types.append(f"{label}: {kind}")
            no_nulls.append(None if has_nulls else label)
    return pd.DataFrame({"column": labels, "type": types, "no_nulls": no_nulls}, dtype=object)


def _column_type(series: pd.Series) -> tuple[str, bool]:
    """(:func:`observed_type`, whether the column holds a null), one null scan for both.

    Frames are built with object columns (:mod:`pipeline.extract.datasets`), so that case reads the
    values as one array: a C pass finds the nulls, another infers strings; lists of strings (the
    ``list<string>`` columns) are confirmed by their items' types, and anything else is judged value
    by value as :func:`observed_type` does."""
    import pandas as pd

    if series.dtype != object:
        return observed_type(series), bool(series.hasnans)
    array = series.to_numpy()
    nulls = pd.isna(array)
    has_nulls = bool(nulls.any())
    inferred = pd.api.types.infer_dtype(array, skipna=True)
    if inferred in ("string", "empty"):
        return inferred, has_nulls
    values = array[~nulls].tolist() if has_nulls else array.tolist()
    lists = bool(values) and set(map(type, values)) <= {list, tuple}
    if lists and set(map(type, itertools.chain.from_iterable(values))) <= {str}:
        return "list<string>", has_nulls
    kinds = {_kind(v) for v in values}
    if not kinds:
        return "empty", has_nulls
    return (kinds.pop() if len(kinds) == 1 else "mixed(" + ",".join(sorted(kinds)) + ")"), has_nulls


# -- revision ---------------------------------------------------------------------------------------


def unresolved_footnote_refs(frames: Frames) -> list[str]:
    """Cell footnote markers with no definition of that marker for the cell's table.

    The cells frame keeps markers, not anchors; a definition belongs to the table it annotates
    (``footnotes.table_index``), so (table, marker) is the reference.
    """
    cells, footnotes = frames.get("cells"), frames.get("footnotes")
    defined = set(zip(_values(footnotes, "table_index"), _values(footnotes, "marker")))
    defined = {(int(t), str(m)) for t, m in defined if t is not None and m is not None}
    missing = []
    for table, row, markers in zip(_values(cells, "table_index"), _values(cells, "row"), _values(cells, "footnotes")):
        for marker in list(markers if markers is not None else []):
            if (int(table), str(marker)) not in defined:
                missing.append(f"table {int(table)} row {int(row)} marker {marker}")
    return sorted(set(missing), key=missing.index)


def unknown_states(frames: Frames) -> list[str]:
    """feature_support rows whose state normalise did not recognise, with the wording (kept in the note)."""
    support = frames.get("feature_support")
    found = []
    for key, platform, state, note in zip(
        _values(support, "feature_key"),
        _values(support, "platform"),
        _values(support, "state"),
        _values(support, "note"),
    ):
        if state == UNKNOWN:
            found.append(f"{key} ({platform}): {note!r}")
    return found


def revision(frames: Frames) -> pd.DataFrame:
    import pandas as pd

    unknown = unknown_states(frames)
    dangling = unresolved_footnote_refs(frames)
    row = {
        "unknown_states": len(unknown),
        "unknown_state_list": _listing(unknown),
        "unresolved_footnote_refs": len(dangling),
        "unresolved_footnote_ref_list": _listing(dangling),
    }
    return pd.DataFrame([row]).astype({"unknown_state_list": object, "unresolved_footnote_ref_list": object})


def _listing(items: list[str], limit: int = 10) -> str | None:
    if not items:
        return None
    more = f"; and {len(items) - limit} more" if len(items) > limit else ""
    return "; ".join(items[:limit]) + more


# -- sections ---------------------------------------------------------------------------------------


def sections(frames: Frames) -> pd.DataFrame:
    """One row per H2 section that holds tables, and one per tab of a section that holds feature tables.

    ``featureless`` names the scope when it holds no feature table (null otherwise); the suite says
    which scope names must not be featureless.
    """
    import pandas as pd

    tables = frames.get("tables")
    scopes: dict[str, int] = {}
    feature_sections: set[str] = set()
    triples = list(zip(_values(tables, "section"), _values(tables, "tab"), _values(tables, "kind")))
    for section, _tab, kind in triples:
        name = section or ""
        scopes.setdefault(name, 0)
        if kind == "feature":
            scopes[name] += 1
            feature_sections.add(name)
    for section, tab, kind in triples:
        name = section or ""
        if tab and name in feature_sections:
            scope = f"{name} / {tab}"
            scopes.setdefault(scope, 0)
            scopes[scope] += kind == "feature"
    rows = [{"scope": s, "feature_tables": n, "featureless": None if n else s} for s, n in scopes.items()]
    return pd.DataFrame(rows, columns=["scope", "feature_tables", "featureless"]).astype(
        {"scope": object, "featureless": object}
    )


# -- feature tables -----------------------------------------------------------------------------------

# header (lowercased) -> the core column it is; the suite lists the allowed combinations
CORE_HEADERS = {
    "feature": "Feature",
    "domain - feature": "Feature",
    "supported resources": "Supported resources",
    "release state": "Release state",
    "linux release state": "Linux release state",
    "windows release state": "Windows release state",
    "windows support": "Windows support",
}
_CORE_ORDER = list(dict.fromkeys(CORE_HEADERS.values()))


def feature_tables(frames: Frames) -> pd.DataFrame:
    """One row per feature table: ``core`` lists which core columns it has ("Feature | Supported resources | ...")."""
    import pandas as pd

    tables = frames.get("tables")
    rows = []
    for index, kind, headers in zip(
        _values(tables, "table_index"), _values(tables, "kind"), _values(tables, "headers")
    ):
        if kind != "feature":
            continue
        found = {
            CORE_HEADERS.get(" ".join(str(h).split()).lower()) for h in list(headers if headers is not None else [])
        }
        rows.append({"table_index": int(index), "core": " | ".join(c for c in _CORE_ORDER if c in found)})
    return pd.DataFrame(rows, columns=["table_index", "core"]).astype({"core": object})


# -- version ranges ---------------------------------------------------------------------------------


def version_key(version: str) -> str:
    """A string that sorts like the version's numbers: "3.12" -> "00003.00012" (so "3.9" < "3.12")."""
    return ".".join(f"{int(p):05d}" for p in _VERSION_PART.findall(version)[:4])


def versions(frames: Frames) -> pd.DataFrame:
    """One row per version string: ``version`` is "<role> <text>", role min, max or listed."""
    import pandas as pd

    os_versions = frames.get("os_versions")
    rows: list[dict[str, Any]] = []
    for name, low, high, listed in zip(
        _values(os_versions, "name"),
        _values(os_versions, "version_min"),
        _values(os_versions, "version_max"),
        _values(os_versions, "versions"),
    ):
        for role, texts in (("min", [low]), ("max", [high]), ("listed", list(listed if listed is not None else []))):
            rows.extend({"name": name, "version": f"{role} {text}"} for text in texts if text is not None)
    return pd.DataFrame(rows, columns=["name", "version"]).astype(object)


def version_ranges(frames: Frames) -> pd.DataFrame:
    import pandas as pd

    os_versions = frames.get("os_versions")
    rows = []
    for name, low, high, raw in zip(
        _values(os_versions, "name"),
        _values(os_versions, "version_min"),
        _values(os_versions, "version_max"),
        _values(os_versions, "raw"),
    ):
        if low is None or high is None:
            continue
        rows.append(
            {
                "name": name,
                "raw": raw,
                "version_min": low,
                "version_max": high,
                "min_key": version_key(str(low)),
                "max_key": version_key(str(high)),
            }
        )
    columns = ["name", "raw", "version_min", "version_max", "min_key", "max_key"]
    return pd.DataFrame(rows, columns=columns).astype(object)


# -- drift ------------------------------------------------------------------------------------------


def _support_states(frame: pd.DataFrame | None) -> dict[tuple[Any, ...], Any]:
    if frame is None:
        return {}
    keys = zip(*(_values(frame, c) for c in _SUPPORT_KEY))
    return dict(zip(keys, _values(frame, "state")))


def _environments(frames: Frames) -> set[str]:
    found = set(_values(frames.get("features"), "environment")) | set(
        _values(frames.get("support_items"), "environment")
    )
    return {str(e) for e in found if e}


def _section_contents(frames: Frames) -> dict[str, set[tuple[str, str]]]:
    """What each section holding a feature table says: its cells' (column, value) pairs.

    Only matrix sections count: an information section (Aspect/Details, notes) coming and going is
    ordinary editing that the diff reports item by item, while a matrix section vanishing looks like
    a redesign or a partial page. (Counting every section made one real removal, 2022-07-25, fail
    every later revision too, since each is compared with the last good one.)"""
    cells = frames.get("cells")
    tables = frames.get("tables")
    matrix = {str(s) for s, kind in zip(_values(tables, "section"), _values(tables, "kind")) if kind == "feature" and s}
    contents: dict[str, set[tuple[str, str]]] = {}
    for section, column, value in zip(_values(cells, "section"), _values(cells, "column"), _values(cells, "value")):
        if section is None or str(section) not in matrix:
            continue
        contents.setdefault(str(section), set()).add((str(column or ""), str(value or "")))
    return contents


def vanished(frames: Frames, previous: Frames) -> list[str]:
    """Environments, matrix sections (holding feature tables), (section, environment) pairs and tab panels
    of the previous revision that are gone.

    A section whose name is gone but whose cell contents are still on the page (at least
    ``RENAMED_SECTION_KEPT_SHARE``) was renamed or restructured, not removed.
    """
    gone = [f"environment {e!r}" for e in sorted(_environments(previous) - _environments(frames))]
    before, now = _section_contents(previous), _section_contents(frames)
    everything_now = set().union(*now.values()) if now else set()
    for section in sorted(set(before) - set(now)):
        content = before[section]
        kept = len(content & everything_now) / len(content) if content else 1.0
        if kept < thresholds.RENAMED_SECTION_KEPT_SHARE:
            gone.append(f"section {section!r}")
    from ._drift import vanished_pairs_and_panels

    return gone + vanished_pairs_and_panels(frames, previous)


def drift(frames: Frames, previous: Frames) -> pd.DataFrame:
    import pandas as pd

    now, before = _support_states(frames.get("feature_support")), _support_states(previous.get("feature_support"))
    rows_before, rows_now = len(before), len(now)
    new_unknown = sum(1 for k, s in now.items() if s == UNKNOWN and before.get(k) != UNKNOWN)
    gone = vanished(frames, previous)
    row = {
        "feature_support_rows_previous": rows_before,
        "feature_support_rows": rows_now,
        "feature_support_kept_share": round(rows_now / rows_before, 4) if rows_before else 1.0,
        "new_unknown_states": new_unknown,
        "vanished": ", ".join(gone) or None,
    }
    return pd.DataFrame([row]).astype({"vanished": object})


def derived(frames: Frames, previous: Frames | None, page: PageSpec | None = None) -> dict[str, pd.DataFrame]:
    """Every derived frame for one revision, by suite name (``drift`` only with a previous revision); a page
    without the richer datasets has its schema and ``matrix_drift`` only (:mod:`pipeline.validate._matrix`)."""
    if page is not None and not page.datasets:
        from ._matrix import matrix_drift

        names = tuple(n for n in PUBLISHED if n in page.all_datasets)
        generic = {"schema": schema(frames, names)}
        if previous is not None:
            generic["matrix_drift"] = matrix_drift(frames, previous)
        return generic
    whole = revision(frames)
    out = {
        "schema": schema(frames),
        "revision": whole,
        "sections": sections(frames),
        "feature_tables": feature_tables(frames),
        "versions": versions(frames),
        "version_ranges": version_ranges(frames),
    }
    if previous is not None:
        # one row each: the revision's counts and its drift, side by side in one frame, so both suites
        # share one Validator (each reads only its own columns)
        whole = whole.join(drift(frames, previous))
        out["revision"] = out["drift"] = whole
    return out
