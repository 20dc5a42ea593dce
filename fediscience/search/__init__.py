"""Full-text search over papers and public summaries (SQLite FTS5 or PostgreSQL tsvector, see migration 0002)."""

from .results import SearchHit, SearchPage
from .services import search

__all__ = ["SearchHit", "SearchPage", "search"]
