"""Hostile pages: parser resource limits and declared encodings fail as one line, never as a partial page
or a false change; undecodable bytes are flagged."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.errors import ExtractError
from pipeline.extract import extract
from pipeline.extract._encoding import CODECS, decode, web_encoding
from tests.support import tree_digest

SAMPLE = (Path(__file__).parents[1] / "fixtures" / "learn_sample.html").read_bytes()
_META = b'<meta charset="utf-8" />'
FETCHED_AT = "2025-03-30T10:00:00Z"


def _deep(depth: int) -> bytes:
    """The sample with `depth` unclosed <div>s just before its last section heading."""
    at = SAMPLE.rindex(b"<h2")
    return SAMPLE[:at] + b"<div>" * depth + SAMPLE[at:]


def _charset(label: bytes, size: int = 0) -> bytes:
    page = SAMPLE.replace(_META, b'<meta charset="' + label + b'" />')
    assert page != SAMPLE
    if size > len(page):  # padding inside the article, before </html>
        at = page.rindex(b"</main>")
        page = page[:at] + b"<p>" + b"x" * (size - len(page)) + b"</p>" + page[at:]
    return page


def test_nesting_within_limits_still_reads_the_late_heading() -> None:
    sections = extract(_deep(200)).sections
    assert sections == extract(SAMPLE).sections


def test_nesting_past_libxml2s_limit_is_an_extract_error() -> None:
    with pytest.raises(ExtractError) as info:
        extract(_deep(300))
    line = info.value.one_line()
    assert "partial page" in line and "depth" in line.lower() and "\n" not in line


@pytest.mark.parametrize("label", [b"utf-7", b"punycode", b"x-no-such-thing", b"iso-2022-kr"])
def test_charsets_that_are_not_web_encodings_are_refused(label: bytes) -> None:
    with pytest.raises(ExtractError) as info:
        extract(_charset(label))
    assert label.decode() in info.value.one_line()


@pytest.mark.parametrize(
    ("label", "codec"),
    [("UTF-8", "utf-8"), ("latin1", "cp1252"), ("iso-8859-1", "cp1252"), ("utf-16", "utf-8"), ("shift_jis", "cp932")],
)
def test_web_labels_map_as_the_encoding_standard_says(label: str, codec: str) -> None:
    assert CODECS[label.lower()] == codec
    assert web_encoding(b'<html><meta charset="' + label.encode() + b'">')[0] == codec


def test_bom_wins_and_no_declaration_is_utf8() -> None:
    assert decode(b"\xef\xbb\xbf<html>\xc3\xa9") == "<html>é"
    assert decode("<html>é".encode("utf-16-le").join([b"\xff\xfe", b""])) == "<html>é"
    assert decode(b"<html>\xc3\xa9") == "<html>é"
    assert decode(b'<meta charset="windows-1252"><p>\x93q\x94') == '<meta charset="windows-1252"><p>\u201cq\u201d'


def test_a_windows_1252_page_reads_as_the_same_model() -> None:
    text = SAMPLE.decode("utf-8")
    page = text.replace('charset="utf-8"', 'charset="windows-1252"').encode("cp1252", errors="xmlcharrefreplace")
    assert extract(page) == extract(SAMPLE)


def test_undecodable_bytes_become_replacement_characters_in_cells() -> None:
    at = SAMPLE.index(b"Binary drift detection")
    document = extract(SAMPLE[:at] + b"\xff" + SAMPLE[at:])
    assert any("\ufffd" in cell.value for table in document.tables for row in table.rows for cell in row)


def _args(tmp_path: Path, page: Path) -> list[str]:
    args = ["run", "--source", str(page), "--snapshots", str(tmp_path / "snapshots")]
    return [*args, "--output", str(tmp_path / "output"), "--fetched-at", FETCHED_AT]


@pytest.mark.parametrize("case", ["deep", "utf-7", "punycode-1mb"])
def test_a_hostile_page_exits_4_in_one_line_and_changes_nothing(tmp_path: Path, case: str) -> None:
    good = tmp_path / "page.html"
    good.write_bytes(SAMPLE)
    assert main(_args(tmp_path, good)) == 0
    before = {**tree_digest(tmp_path / "output"), **tree_digest(tmp_path / "snapshots")}
    body = {"deep": _deep(300), "utf-7": _charset(b"utf-7"), "punycode-1mb": _charset(b"punycode", 1 << 20)}[case]
    hostile = tmp_path / "hostile.html"
    hostile.write_bytes(body)
    # a subprocess with a timeout: a decoder that takes minutes (Python's punycode on 1 MB) fails here
    command = [sys.executable, "-m", "pipeline", *_args(tmp_path, hostile)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert done.returncode == 4, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("supportmatrix: extract: ")
    assert {**tree_digest(tmp_path / "output"), **tree_digest(tmp_path / "snapshots")} == before
