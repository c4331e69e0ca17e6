"""Shared helpers for the validation tests: the sample page, bad variants of it (edited in memory), frames."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.fetch import Fetched
from pipeline.steps import build
from tests.support import local_fetched

if TYPE_CHECKING:
    import pandas as pd

SAMPLE = Path(__file__).parent / "fixtures" / "learn_sample.html"
FETCHED_AT = "2025-03-30T10:00:00Z"


def sample() -> str:
    return SAMPLE.read_text(encoding="utf-8")


def fetched(body: bytes, source: str = "sample.html") -> Fetched:
    return local_fetched(body, source=source, fetched_at=FETCHED_AT)


def frames_of(body: bytes | str) -> dict[str, pd.DataFrame]:
    raw = body.encode("utf-8") if isinstance(body, str) else body
    return build(raw, fetched(raw)).frames


# -- bad variants of the sample page ----------------------------------------------------------------

_FEATURE_TABLE = re.compile(r"<table>\s*<thead>(?:(?!</table>).)*?Windows release state.*?</table>", re.S)
_ROW = re.compile(r"<tr>.*?</tr>", re.S)
_CELL = re.compile(r"<t[dh]>.*?</t[dh]>", re.S)


def _drop_column(table: str, position: int) -> str:
    def row(match: re.Match[str]) -> str:
        cells = _CELL.findall(match.group(0))
        return match.group(0).replace(cells[position], "", 1) if len(cells) > position else match.group(0)

    return _ROW.sub(row, table)


def lost_column(page: str) -> str:
    """Every feature table loses its 'Windows release state' column (header and cells)."""
    out = _FEATURE_TABLE.sub(lambda m: _drop_column(m.group(0), 4), page)
    assert out != page and "Windows release state" not in out
    return out


def tab_group_removed(page: str) -> str:
    """The Azure / Arc enabled Kubernetes tab group (and the heading it sat under) is gone."""
    start = page.index('<h2 id="kubernetes-distributions')
    end = page.index('<h2 id="security-posture-management-features">')
    return page[:start] + page[end:]


def new_state_wording(page: str) -> str:
    """Learn rewords the release states: 'GA' -> 'Generally released', 'Preview' -> 'Early access'."""
    out = page.replace("<td>GA</td>", "<td>Generally released</td>").replace(
        "<td>Preview</td>", "<td>Early access</td>"
    )
    assert out.count("Generally released") > 10
    return out


def empty_tbody(page: str) -> str:
    """The first table's body is empty."""
    start = page.index("<tbody>")
    end = page.index("</tbody>", start)
    return page[: start + len("<tbody>")] + page[end:]


def duplicated_rows(page: str) -> str:
    """Every body row of the first table appears twice."""
    start = page.index("<tbody>") + len("<tbody>")
    end = page.index("</tbody>", start)
    return page[:start] + page[start:end] * 2 + page[end:]


def other_title(page: str) -> str:
    """Another article's title (the servers support matrix) on an otherwise identical page."""
    out = page.replace(
        "<title>Containers support matrix in Defender for Cloud - ",
        "<title>Defender for Servers support matrix in Defender for Cloud - ",
    )
    assert out != page
    return out


def sign_in(page: str) -> str:
    """What Learn serves when it refuses access: chrome and the sign-in notice, no article body."""
    head = page[: page.index("<body")]
    return (
        head + '<body><main id="main" role="main"><div unauthorized-private-section><p>Access to this page requires '
        "authorization. You can try signing in or changing directories.</p></div></main></body></html>"
    )


# case -> (how to make the page, the expectation its validation must name; None: extract refuses the page)
CRAFTED: dict[str, tuple[Callable[[str], str], str | None]] = {
    "sign-in page": (sign_in, None),
    "feature tables lost a column": (lost_column, "feature_tables.expect_column_distinct_values_to_be_in_set(core)"),
    "release states reworded": (new_state_wording, "revision.expect_column_max_to_be_between(unknown_states)"),
    "empty tbody": (empty_tbody, "tables.expect_column_min_to_be_between(n_rows)"),
    "rows duplicated": (duplicated_rows, "features.expect_column_values_to_not_match_regex(feature_key)"),
    "another article's title": (other_title, "page.expect_column_distinct_values_to_be_in_set(title)"),
}
# needs the sample as the previous good snapshot: caught by a drift guard
DRIFT_CRAFTED = {"tab group removed": (tab_group_removed, "drift.expect_column_values_to_be_null(vanished)")}
