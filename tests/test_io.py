"""``pipeline._io``: a column used as it is must equal the column cleaned value by value."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from pipeline._io import _clean, _cleaner

_COLUMNS: dict[str, tuple[str, list[Any]]] = {
    "clean strings": ("string", ["a", None, ""]),
    "a NaN among strings": ("string", ["a", float("nan")]),
    "a number among strings": ("string", ["a", 3]),
    "a numpy string": ("string", [np.str_("a")]),
    "clean ints": ("int64", [1, None, 2]),
    "a bool among ints": ("int64", [1, True]),
    "a numpy int": ("int64", [np.int64(4)]),
    "clean bools": ("bool", [True, None, False]),
    "a numpy bool": ("bool", [np.bool_(True)]),
    "clean string lists": ("list<string>", [["a"], [], None]),
    "a number in a list": ("list<string>", [["a", 1]]),
    "a tuple": ("list<string>", [("a",)]),
    "a numpy array (Parquet)": ("list<string>", [np.array(["a"], dtype=object)]),
    "floats and a NaN": ("float64", [1.5, float("nan")]),
    "timestamps": ("timestamp", ["2024-06-01T08:00:00Z", "", None]),
    "all null": ("timestamp", [None, None]),
}


@pytest.mark.parametrize(("type_", "values"), list(_COLUMNS.values()), ids=list(_COLUMNS))
def test_a_column_is_cleaned_as_value_by_value(type_: str, values: list[Any]) -> None:
    clean = _cleaner(type_)
    expected = [clean(v) for v in values]
    got = _clean(list(values), type_)
    assert [(type(v), repr(v)) for v in got] == [(type(v), repr(v)) for v in expected]
