"""Which database objects Alembic's autogenerate compares (the search index is not ours to diff)."""

from __future__ import annotations

from typing import Any

IGNORED_TABLE_PREFIXES = ("alembic_version", "sqlite_", "search_")
# The search migration names everything it creates `search_*`: FTS5 tables and their shadow tables on SQLite,
# generated tsvector columns and their GIN indexes on PostgreSQL. Columns and indexes are hidden only when they
# exist in the database and not in the models, so a model's own `search_*` column is still compared.
SEARCH_PREFIX = "search_"


def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """False for tables, columns and indexes that migrations manage by hand (the search index) and Alembic's own."""
    if not name:
        return True
    if type_ == "table":
        return not name.startswith(IGNORED_TABLE_PREFIXES)
    if type_ in ("column", "index"):
        return not (reflected and compare_to is None and name.startswith(SEARCH_PREFIX))
    return True
