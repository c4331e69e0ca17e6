"""Small Learn-shaped pages for the normalise tests: write the article body, get a Document."""

from __future__ import annotations

from collections.abc import Sequence

from pipeline.extract import extract
from pipeline.model import Document

FEATURE_HEADERS = (
    "Feature",
    "Description",
    "Supported resources",
    "Linux release state",
    "Windows release state",
    "Enablement method",
    "Plans",
    "Clouds availability",
)


def page(body: str) -> bytes:
    """A page in Learn's server-HTML shape around an article body."""
    return (
        "<!DOCTYPE html><html lang='en-us'><head><title>Containers support matrix in Defender for Cloud"
        " - Microsoft Defender for Cloud | Microsoft Learn</title></head><body><main id='main'>"
        "<div class='content'><h1>Containers support matrix in Defender for Cloud</h1></div>"
        f"<div class='content'>{body}</div></main></body></html>"
    ).encode()


def document(body: str) -> Document:
    return extract(page(body))


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A table; cells are HTML fragments."""
    head = "".join(f"<th>{h}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def feature_row(
    feature: str,
    resources: str = "AKS",
    linux: str = "GA",
    windows: str = "GA",
    *,
    description: str = "Does things",
    enablement: str = "Enabled with plan",
    plans: str = "Defender for Containers",
    clouds: str = "Commercial clouds",
) -> list[str]:
    return [feature, description, resources, linux, windows, enablement, plans, clouds]


def tabs(group: int, panels: Sequence[tuple[str, str]]) -> str:
    """A tab group: (label, panel body) per tab."""
    items = "".join(
        f"<li role='presentation'><a href='#tabpanel_{group}_{i}' role='tab' data-tab='t{i}'>{label}</a></li>"
        for i, (label, _) in enumerate(panels)
    )
    sections = "".join(
        f"<section id='tabpanel_{group}_{i}' role='tabpanel' data-tab='t{i}'>{body}</section>"
        for i, (_, body) in enumerate(panels)
    )
    return f"<div class='tabGroup' id='tabgroup_{group}'><ul role='tablist'>{items}</ul>{sections}</div>"


def ref(marker: str, anchor: str) -> str:
    return f"<sup><a href='#{anchor}' data-linktype='self-bookmark'>{marker}</a></sup>"


def definition(marker: str, anchor: str, text: str) -> str:
    return f"<p><sup><a name='{anchor}'></a>{marker}</sup>{text}</p>"
