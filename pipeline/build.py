"""One page revision, from raw bytes to every dataset (pure; the recipe's "process" step).

``build`` runs extract, then normalise, and returns all frames by name. Every
command that turns a page into data (run, extract, diff, backfill) goes
through here, so they cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .model import Document

if TYPE_CHECKING:
    import pandas as pd

    from .datasets import FetchInfo


@dataclass(frozen=True)
class Revision:
    document: Document
    frames: dict[str, pd.DataFrame]

    @property
    def page(self) -> dict[str, object]:
        return {str(k): v for k, v in self.frames["page"].iloc[0].to_dict().items()}


def build(body: bytes, fetched: FetchInfo) -> Revision:
    # imported here: a run that finds the page unchanged never needs lxml, the normaliser or pandas
    from .datasets import extracted_frames
    from .extract import extract
    from .normalise import normalise

    document = extract(body)
    frames = extracted_frames(document, fetched)
    frames.update(normalise(document))
    return Revision(document, frames)
