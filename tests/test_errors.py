"""The one exception tree (pipeline/errors.py) and the README's table of exit codes say the same thing."""

from __future__ import annotations

import re

import pytest

from pipeline import errors
from pipeline.errors import InternalError, PipelineError
from tests.readme import README


def _tree() -> list[type[PipelineError]]:
    found, todo = [], list(PipelineError.__subclasses__())
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.__subclasses__())
    return found


def _readme_table() -> dict[int, set[str]]:
    """exit code -> the stages its README row names (a row may name two: 'extract / normalise')."""
    text = README.read_text(encoding="utf-8")
    section = text.split("### Errors and exit codes", 1)[1].split("\n#", 1)[0]
    rows = re.findall(r"^\| (\d+) \| ([^|]+?) \| ([^|]+?) \|$", section, re.M)
    assert rows, "no exit-code table under 'Errors and exit codes' in README.md"
    table: dict[int, set[str]] = {}
    for code, stages, examples in rows:
        assert int(code) not in table, f"exit {code} has two rows"
        assert examples.strip(), f"exit {code} has no examples"
        table[int(code)] = {s.strip() for s in stages.split("/")}
    return table


def test_the_readme_table_is_the_error_tree() -> None:
    code_table: dict[int, set[str]] = {}
    for cls in _tree():
        code_table.setdefault(cls.exit_code, set()).add(cls.stage)
    assert _readme_table() == code_table


def test_every_stage_has_one_exit_code() -> None:
    codes: dict[str, set[int]] = {}
    for cls in _tree():
        codes.setdefault(cls.stage, set()).add(cls.exit_code)
    assert {stage: c for stage, c in codes.items() if len(c) > 1} == {}


def test_the_module_docstring_draws_the_tree_with_its_exit_codes() -> None:
    doc = errors.__doc__ or ""
    for cls in _tree():
        assert re.search(rf"[├└]── {cls.__name__}\b", doc), f"{cls.__name__} is missing from the docstring tree"
    drawn = {name: int(code) for name, code in re.findall(r"── (\w+)\s.*\(exit (\d+)\)", doc)}
    assert drawn and {name: getattr(errors, name).exit_code for name in drawn} == drawn


@pytest.mark.parametrize("cls", _tree(), ids=lambda c: c.__name__)
def test_every_error_is_one_line_naming_its_stage(cls: type[PipelineError]) -> None:
    error = (
        cls("first\nsecond  third", status=500) if cls.__name__ == "HTTPStatusError" else cls("first\nsecond  third")
    )
    assert error.one_line() == f"{cls.stage}: first second third"


def test_an_internal_error_names_the_exception_and_keeps_it() -> None:
    bug = KeyError("feature_key")
    error = InternalError.wrap(bug)
    assert error.one_line() == "internal: KeyError: 'feature_key' (a bug; re-run with --debug for the traceback)"
    assert error.__cause__ is bug and error.exit_code == 1
