"""The generic ``support`` dataset: the shared state vocabulary, column roles, footnotes and keys on
hand-written tables, and the whole history of every page (corpus and catalogue) against its truth files."""

from __future__ import annotations

import re

import pytest

from pipeline import pages
from pipeline.extract import extract
from pipeline.model import Cell, Document, Footnote, PageMeta, Scope, Table
from pipeline.normalise.matrix import support_columns, support_frame
from pipeline.normalise.states import parse_state, support_state
from pipeline.schema import DATASETS
from pipeline.vocabulary import RELEASE_STATE_OF, SUPPORT_DASHES, SUPPORT_MARKS, SUPPORT_STATES, SUPPORT_WORDS

from ..corpus import (
    CATALOGUE_PAGES,
    catalogue_html,
    catalogue_params,
    catalogue_truth,
    corpus_params,
    html_bytes,
    truth,
)

SERVERS = pages.get("defender-for-servers")
CONTAINERS = pages.get("defender-for-containers")
CLOUD = pages.get("defender-for-cloud")


@pytest.mark.parametrize(
    ("cell", "state", "qualifier"),
    [
        ("✔", "Supported", None),
        ("✓", "Supported", None),
        ("✔ Available on: Windows Server 2022, 2019", "Supported", "Available on: Windows Server 2022, 2019"),
        ("✔(for supported scenarios)", "Supported", "for supported scenarios"),
        ("✔for supported scenarios", "Supported", "for supported scenarios"),
        ("✔ **", "Supported", "**"),
        ("✓ (Preview)", "Preview", None),
        ("Yes", "Supported", None),
        ("yes (Plan 2)", "Supported", "Plan 2"),
        ("Supported", "Supported", None),
        ("✖", "Not supported", None),
        ("✗", "Not supported", None),
        ("X", "Not supported", None),
        ("No", "Not supported", None),
        ("No (built into OS)", "Not supported", "built into OS"),
        ("Not supported", "Not supported", None),
        ("Unsupported", "Not supported", None),
        ("Not Available", "Not supported", None),
        ("-", "Not supported", None),
        ("—", "Not supported", None),
        ("NA", "Not applicable", None),
        ("N/A", "Not applicable", None),
        ("Not applicable", "Not applicable", None),
        ("GA", "GA", None),
        ("General availability.", "GA", None),
        ("GA (Activity monitoring)", "GA", "Activity monitoring"),
        ("Preview", "Preview", None),
        ("Public Preview", "Preview", "Public Preview"),
        ("Limited preview - AKS only", "Preview", "Limited preview; AKS only"),
        ("Security Admin or Pricings/read, Pricings/write", "Value", None),
        ("Defender for Azure SQL", "Value", None),
        ("Node", "Value", None),  # starts with "No" but is another word
        ("GAR, GCR", "Value", None),
        ("-GKE", "Value", None),  # a dash says "no" only as the whole cell
        ("Supported via Arc enabled Kubernetes", "Unknown", None),
        ("GA for AKS", "Unknown", None),
        ("??", "Unknown", None),
        ("", None, None),
        ("   ", None, None),
        (None, None, None),
    ],
)
def test_the_shared_vocabulary(cell: str | None, state: str | None, qualifier: str | None) -> None:
    assert support_state(cell) == (state, qualifier)


def test_every_word_and_mark_of_the_vocabulary_is_known_alone_and_qualified() -> None:
    known = [*SUPPORT_WORDS, *SUPPORT_MARKS, *((d, "Not supported") for d in SUPPORT_DASHES)]
    for word, state in known:
        for text in (word, word.upper(), word.title()):
            found, qualifier = support_state(text)
            # a preview kind is its own qualifier ("Public preview"), as the release states have it
            assert (found, qualifier) == (state, text if qualifier and "preview" in word else None), text
        if word not in SUPPORT_DASHES:
            assert support_state(f"{word} (on Linux)")[0] == state, word
    assert {state for _, state in known} <= set(SUPPORT_STATES)


def test_the_release_state_parser_is_a_view_of_the_same_reading() -> None:
    """Containers' feature tables read cells by the shared vocabulary: where it knows a release state,
    parse_state agrees with it; everything else is Unknown there, raw text kept."""
    cells = [w for w, _ in SUPPORT_WORDS] + [m for m, _ in SUPPORT_MARKS] + list(SUPPORT_DASHES)
    cells += ["GA (x)", "Public preview - y", "Not supported (z)", "Security Admin", "??", "✔ Available on: x"]
    for cell in cells:
        state, qualifier = support_state(cell)
        release = RELEASE_STATE_OF.get(state or "")
        if release is None:
            assert parse_state(cell) == ("Unknown", cell), cell
        else:
            assert parse_state(cell) == (release, qualifier), cell


# -- hand-written tables -----------------------------------------------------------------------------


def _cells(*values: str) -> tuple[Cell, ...]:
    return tuple(Cell(v) for v in values)


def _document(*tables: Table, footnotes: tuple[Footnote, ...] = ()) -> Document:
    return Document(PageMeta(), tables, footnotes, ())


def _table(index: int, scope: Scope, headers: tuple[str, ...], *rows: tuple[Cell, ...]) -> Table:
    empty = tuple(() for _ in headers)
    return Table(index, scope, headers, empty, empty, rows)


WINDOWS = Scope(section="Windows machine support")


def _servers_document() -> Document:
    """Feature × machine type with a column footnote, as the servers page lays it out."""
    headers = ("Feature", "Azure VMs", "Azure Arc-enabled machines", "Defender for Servers required")
    table = Table(
        0,
        WINDOWS,
        headers,
        ((), (), ("1",), ()),
        ((), (), ("fn-arc",), ()),
        (
            _cells("Just-in-time VM access", "✔", "-", "Yes"),
            (
                Cell("File integrity monitoring", ("2",), ("fn-fim",)),
                *_cells("✔ (supported scenarios)", "✔", "Yes (Plan 2)"),
            ),
            _cells("Network map", "✔", "✖", "No"),
        ),
    )
    notes = (
        Footnote("fn-arc", "1", "Needs the Azure Connected Machine agent.", WINDOWS, 0),
        Footnote("fn-fim", "2", "Uses Azure Monitor Agent.", WINDOWS, 0),
    )
    return _document(table, footnotes=notes)


def test_one_row_per_body_cell_that_is_not_the_row_label() -> None:
    frame = support_frame(_servers_document(), SERVERS)
    assert list(frame.columns) == DATASETS["support"].names
    assert len(frame) == 3 * 3
    assert set(frame["page"]) == {"defender-for-servers"}
    assert list(frame["row_label"][:3]) == ["Just-in-time VM access"] * 3
    assert list(frame["column_label"][:3]) == [
        "Azure VMs",
        "Azure Arc-enabled machines",
        "Defender for Servers required",
    ]
    assert list(frame["column"][:3]) == [1, 2, 3]
    assert list(frame["state"]) == [
        "Supported", "Not supported", "Value",
        "Supported", "Supported", "Value",
        "Supported", "Not supported", "Value",
    ]  # fmt: skip
    # "Defender for Servers required" is a value column: its Yes/No answer another question
    assert list(frame["raw"][[2, 5, 8]]) == ["Yes", "Yes (Plan 2)", "No"]
    assert frame["qualifier"][3] == "supported scenarios" and frame["qualifier"][5] is None
    assert str(frame["table"].dtype) == str(frame["row"].dtype) == str(frame["column"].dtype) == "int64"


def test_footnotes_of_the_column_header_and_the_row_label_qualify_the_cell() -> None:
    frame = support_frame(_servers_document(), SERVERS)
    by_cell = {(r, c): f for r, c, f in zip(frame["row"], frame["column"], frame["footnotes"])}
    assert by_cell[(0, 1)] == []
    assert by_cell[(0, 2)] == ["Needs the Azure Connected Machine agent."]
    assert by_cell[(1, 1)] == ["Uses Azure Monitor Agent."]
    assert by_cell[(1, 2)] == ["Needs the Azure Connected Machine agent.", "Uses Azure Monitor Agent."]


def test_the_row_label_column_comes_from_the_page_spec_and_padding_is_not_a_column() -> None:
    """A 2022-style feature table: Domain before Feature, Learn's empty padding header, a short row."""
    scope = Scope(section="Azure (AKS)")
    headers = ("Domain", "Feature", "Supported resources", "Linux release state", "Windows release state", "")
    table = _table(
        0,
        scope,
        headers,
        _cells("Compliance", "Docker CIS", "VM, VMSS", "GA", "-", ""),
        _cells("", "Control plane hardening", "ACR, AKS", "Preview"),
    )
    frame = support_frame(_document(table), CONTAINERS)
    assert len(frame) == 2 * 4  # Domain, resources and two release states; Feature labels the row
    assert set(frame["row_label"]) == {"Docker CIS", "Control plane hardening"}
    assert list(frame["column_label"][:4]) == [
        "Domain",
        "Supported resources",
        "Linux release state",
        "Windows release state",
    ]
    assert list(frame["state"]) == ["Value", "Value", "GA", "Not supported", None, "Value", "Preview", None]
    assert frame["raw"].tolist()[-1] is None  # the short row's missing cell: no text


def test_the_cell_key_is_stable_text_and_unique_with_repeats_numbered() -> None:
    scope = Scope(section="Features supported in different Azure cloud environments", tab="Commercial")
    headers = ("Feature/Service", "Azure", "Azure Government")
    table = _table(
        0,
        scope,
        headers,
        _cells("Defender for Storage", "GA", "NA"),
        _cells("Defender  for storage", "Public Preview", ""),
    )
    frame = support_frame(_document(table), CLOUD)
    keys = frame["cell_key"].tolist()
    assert keys[0] == "features supported in different azure cloud environments|commercial|defender for storage|azure"
    assert keys[2] == keys[0] + "|#2"  # the second row of the same label (spacing and case ignored)
    assert len(set(keys)) == len(keys)
    assert list(frame["state"]) == ["GA", "Not applicable", "Preview", None]
    assert support_columns(_document(table), CLOUD)["cell_key"] == keys


# -- every revision of every page against its truth files ------------------------------------------


def _known_whole_cells() -> set[str]:
    return {w for w, _ in SUPPORT_WORDS} | {m for m, _ in SUPPORT_MARKS} | set(SUPPORT_DASHES)


def _state_column(spec: pages.PageSpec, header: str) -> bool:
    roles = spec.columns
    if any(re.search(p, header, re.I) for p in roles.value_columns):
        return False
    return not roles.state_columns or any(re.search(p, header, re.I) for p in roles.state_columns)


def _check_against_truth(document: Document, expected: dict, spec: pages.PageSpec) -> None:
    frame = support_frame(document, spec)
    tables = [t for t in expected["tables"] if t["learn_renders_as_table"]]
    label_headers = {h.lower() for h in spec.columns.row_label_headers}
    want = []
    for i, t in enumerate(tables):
        label = next((c for c, h in enumerate(t["headers"]) if h.lower() in label_headers), spec.columns.row_label)
        for r, row in enumerate(t["rows"]):
            for c, value in enumerate(row):
                if c != label:
                    want.append((i, r, c, row[label], t["headers"][c], value))
    texts = [raw if raw is not None else "" for raw in frame["raw"]]  # the truth writes an empty cell as ""
    got = list(zip(frame["table"], frame["row"], frame["column"], frame["row_label"], frame["column_label"], texts))
    assert got == want
    assert "" not in set(frame["raw"])  # null, never empty text: CSV readers could not tell them apart
    assert frame["cell_key"].is_unique
    known = _known_whole_cells()
    misread = [
        (column, raw, state)
        for column, raw, state in zip(frame["column_label"], frame["raw"], frame["state"])
        if _state_column(spec, column) and (raw or "").lower().rstrip(". ") in known and state in ("Unknown", "Value")
    ]
    assert misread == [], "a word the vocabulary knows was not read as its state"
    assert set(frame["state"].dropna()) <= set(SUPPORT_STATES)


@pytest.mark.parametrize(("folder", "stem"), catalogue_params())
def test_catalogue_revisions_match_their_truth(folder: str, stem: str) -> None:
    spec = pages.get(CATALOGUE_PAGES[folder])
    _check_against_truth(extract(catalogue_html(folder, stem)), catalogue_truth(folder, stem), spec)


@pytest.mark.parametrize("stem", corpus_params())
def test_corpus_revisions_match_their_truth(stem: str) -> None:
    _check_against_truth(extract(html_bytes(stem)), truth(stem), CONTAINERS)
