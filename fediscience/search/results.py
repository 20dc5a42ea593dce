"""What a search returns: ranked hits with their paper (and summary) and a highlighted snippet."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ..papers.models import Paper
from ..summaries.models import Summary

Kind = Literal["paper", "summary"]


@dataclass(frozen=True)
class RawHit:
    """One row from a database backend: which document, its rank (higher is better) and its raw snippet."""

    kind: Kind
    ref_id: int
    rank: float
    snippet: str


@dataclass(frozen=True)
class SearchHit:
    """A paper or a public summary matching the query; snippet_html is escaped text with <mark> around matches."""

    kind: Kind
    paper: Paper
    summary: Summary | None
    snippet_html: str
    rank: float


@dataclass(frozen=True)
class SearchPage:
    """One page of hits, best first, and the number of hits in all pages."""

    hits: list[SearchHit]
    total: int
