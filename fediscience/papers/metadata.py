"""What we know about a paper, as read from arXiv, Crossref, DBLP or BibTeX, and the errors of reading it."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

_SPACE = re.compile(r"\s+")


@dataclass
class PaperMetadata:
    """Bibliographic metadata of one paper; authors are ordered "Given Family" names."""

    title: str
    source: str
    authors: list[str] = field(default_factory=list)
    venue: str | None = None
    year: int | None = None
    abstract: str | None = None
    keywords: list[str] = field(default_factory=list)
    published: datetime.date | None = None
    arxiv_id: str | None = None
    arxiv_version: str | None = None
    doi: str | None = None
    dblp_key: str | None = None
    landing_url: str | None = None
    pdf_url: str | None = None


class MetadataError(Exception):
    """Metadata could not be had; the message is fit to show to the user."""


class NotFound(MetadataError):
    """The service answered, and it has no paper under that identifier."""


class SourceUnavailable(MetadataError):
    """The service could not be reached or gave an answer we cannot read."""


def clean_text(text: str | None) -> str | None:
    """Collapse runs of whitespace (arXiv's hard line breaks included) to one space; None when blank."""
    if text is None:
        return None
    cleaned = _SPACE.sub(" ", text).strip()
    return cleaned or None
