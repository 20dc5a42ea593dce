"""Search on SQLite: the FTS5 table `search_documents` (migration 0002), ranked by bm25."""

from __future__ import annotations

from sqlalchemy import text

from ..db import db
from .highlight import ELLIPSIS, MARK_CLOSE, MARK_OPEN
from .results import RawHit
from .terms import fts5_match

SNIPPET_TOKENS = 32
# bm25 weights per column: kind, ref_id (unindexed), title, authors, body.
_BM25 = "bm25(search_documents, 0.0, 0.0, 10.0, 4.0, 1.0)"
# The triggers index public summaries only; the join checks visibility again, so that no draft can leak.
_MATCHES = """
    FROM search_documents
    LEFT JOIN summaries ON search_documents.kind = 'summary' AND summaries.id = search_documents.ref_id
    WHERE search_documents MATCH :match
      AND (search_documents.kind = 'paper' OR (NOT summaries.is_draft AND NOT summaries.is_private))
"""
_PAGE = text(f"""
    SELECT search_documents.kind, search_documents.ref_id, -{_BM25} AS score,
           snippet(search_documents, -1, :open, :close, :ellipsis, :tokens) AS snippet
    {_MATCHES}
    ORDER BY score DESC, search_documents.rowid
    LIMIT :limit OFFSET :offset
""")
_COUNT = text(f"SELECT count(*) {_MATCHES}")


def find(terms: list[str], limit: int, offset: int) -> tuple[list[RawHit], int]:
    """One page of hits for terms (all required) and the total count."""
    match = fts5_match(terms)
    total = db.session.execute(_COUNT, {"match": match}).scalar_one()
    if total <= offset:
        return [], total
    params = {
        "match": match, "open": MARK_OPEN, "close": MARK_CLOSE, "ellipsis": ELLIPSIS, "tokens": SNIPPET_TOKENS,
        "limit": limit, "offset": offset,
    }
    rows = db.session.execute(_PAGE, params)
    return [RawHit(row.kind, int(row.ref_id), float(row.score), row.snippet or "") for row in rows], total
