"""Search on PostgreSQL: generated `search_vector` columns with GIN indexes (migration 0002), ranked by ts_rank_cd."""

from __future__ import annotations

from sqlalchemy import text

from ..db import db
from .headline import MAX_TEXT, headline
from .results import RawHit

# Weights of D, C, B, A (A title, B authors, C abstract and summary text): C below the default 0.2 so that a few
# mentions in a long text do not outrank a title, as bm25's title weight ensures on SQLite.
RANK_WEIGHTS = "{0.1, 0.1, 0.4, 1.0}"


def _hits(rank: str) -> str:
    """Matching papers and public summaries as (kind, ref_id, score); `rank` is a template over {table}."""
    # The summaries predicate is spelt out literally so that the planner can use the partial GIN index.
    return f"""
        WITH query AS (SELECT plainto_tsquery('english', :terms) AS q),
        hits AS (
            SELECT 'paper' AS kind, papers.id AS ref_id, {rank.format(table="papers")} AS score
            FROM papers, query WHERE papers.search_vector @@ query.q
            UNION ALL
            SELECT 'summary', summaries.id, {rank.format(table="summaries")}
            FROM summaries, query
            WHERE summaries.search_vector @@ query.q AND NOT summaries.is_draft AND NOT summaries.is_private
        )
    """


_COUNT = text(f"{_hits('0')} SELECT count(*) FROM hits")
# One pass: the window count is taken over every hit before LIMIT, so the page and the total share one index scan.
_PAGE = text(f"""
    {_hits("ts_rank_cd(CAST(:weights AS real[]), {table}.search_vector, query.q)")},
    page AS (SELECT *, count(*) OVER () AS total FROM hits ORDER BY score DESC, kind, ref_id LIMIT :limit OFFSET :offset)
    SELECT page.kind, page.ref_id, page.score, page.total,
           left(CASE WHEN page.kind = 'summary' THEN summaries.source
                     ELSE concat_ws(' — ', papers.title, nullif(papers.authors_text, ''), papers.abstract) END,
                :max_text) AS snippet
    FROM page CROSS JOIN query
    LEFT JOIN papers ON page.kind = 'paper' AND papers.id = page.ref_id
    LEFT JOIN summaries ON page.kind = 'summary' AND summaries.id = page.ref_id
    ORDER BY page.score DESC, page.kind, page.ref_id
""")


def find(terms: list[str], limit: int, offset: int) -> tuple[list[RawHit], int]:
    """One page of hits for terms (all required) and the total count."""
    words = " ".join(terms)
    params = {"terms": words, "weights": RANK_WEIGHTS, "limit": limit, "offset": offset, "max_text": MAX_TEXT}
    rows = db.session.execute(_PAGE, params).all()
    if not rows:  # past the last page (or nothing found): the total still has to be counted
        return [], db.session.execute(_COUNT, {"terms": words}).scalar_one()
    hits = [RawHit(row.kind, row.ref_id, float(row.score), headline(row.snippet or "", terms)) for row in rows]
    return hits, rows[0].total
