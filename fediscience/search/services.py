"""Full-text search over papers (title, authors, abstract) and public summaries, on SQLite or PostgreSQL."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import defer

from ..db import db
from ..papers.models import Paper
from ..summaries.models import Summary
from . import postgres, sqlite
from .highlight import snippet_html
from .results import RawHit, SearchHit, SearchPage
from .terms import search_terms

MAX_LIMIT = 100
ModelT = TypeVar("ModelT", Paper, Summary)


def search(query: str, *, limit: int = 20, offset: int = 0) -> SearchPage:
    """Papers and public summaries matching every word of an untrusted query, best first, with snippets."""
    terms = search_terms(query)
    if not terms:
        return SearchPage(hits=[], total=0)
    backend = postgres if db.session.get_bind().dialect.name == "postgresql" else sqlite
    raw, total = backend.find(terms, min(max(limit, 1), MAX_LIMIT), max(offset, 0))
    return SearchPage(hits=_load(raw), total=total)


def _load(raw: list[RawHit]) -> list[SearchHit]:
    """Attach papers and summaries to raw hits in two queries (summaries bring their papers)."""
    papers = _by_id(Paper, [hit.ref_id for hit in raw if hit.kind == "paper"])
    summaries = _by_id(Summary, [hit.ref_id for hit in raw if hit.kind == "summary"])
    hits = (_attach(hit, papers, summaries) for hit in raw)
    return [hit for hit in hits if hit is not None]


def _by_id(model: type[ModelT], ids: list[int]) -> dict[int, ModelT]:
    if not ids:
        return {}
    query = select(model).where(model.id.in_(ids))
    if model is Summary:  # hits show a snippet, not the text: leave the (TOASTed) source and html unread
        query = query.options(defer(Summary.source), defer(Summary.html))
    return {row.id: row for row in db.session.scalars(query)}


def _attach(hit: RawHit, papers: dict[int, Paper], summaries: dict[int, Summary]) -> SearchHit | None:
    """The hit with its objects, or None if its row went away (or went private) between the two queries."""
    summary = summaries.get(hit.ref_id) if hit.kind == "summary" else None
    if hit.kind == "summary" and (summary is None or not summary.is_public):
        return None
    paper = summary.paper if summary is not None else papers.get(hit.ref_id)
    if paper is None:
        return None
    return SearchHit(hit.kind, paper, summary, snippet_html(hit.snippet), hit.rank)
