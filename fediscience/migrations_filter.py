"""Which database objects Alembic's autogenerate compares (full-text shadow tables are not ours to diff)."""

from __future__ import annotations

from typing import Any

IGNORED_TABLE_PREFIXES = ("alembic_version", "sqlite_", "search_")


def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """False for tables that migrations manage by hand (FTS shadow tables) and Alembic's own."""
    if type_ == "table" and name and name.startswith(IGNORED_TABLE_PREFIXES):
        return False
    return True
