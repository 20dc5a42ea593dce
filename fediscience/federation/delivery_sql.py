"""SQL shapes that keep a 500-inbox batch to a few cheap statements on PostgreSQL (and plain ones on SQLite).

On PostgreSQL a list travels as one array parameter (`= ANY(:ids)`, `unnest`) instead of one parameter per
element: with 500 elements, SQLAlchemy's expanding IN and psycopg's parsing of the resulting statement cost tens
of milliseconds per statement, an array costs nothing. A row-picking subquery is wrapped in `ARRAY(...)` so that
it runs once: as `id IN (SELECT … FOR UPDATE SKIP LOCKED)` the planner, misled by the fresh rows' statistics,
re-ran it for every row (a lease of 500 rows took 80–400 ms).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ARRAY, Integer, String, any_, bindparam, func, insert, literal, select
from sqlalchemy.sql.elements import ColumnElement

from ..db import db
from .models import Delivery


def on_postgresql() -> bool:
    """True when the session's database is PostgreSQL."""
    return db.session.get_bind().dialect.name == "postgresql"


def among(column: Any, values: Iterable[Any]) -> ColumnElement[bool]:
    """`column = ANY(:array)` on PostgreSQL, `column IN (…)` elsewhere."""
    listed = list(values)
    if on_postgresql():
        return column == any_(bindparam(None, listed, type_=ARRAY(column.type)))
    return column.in_(listed)


def among_picked(column: Any, pick: Any) -> ColumnElement[bool]:
    """`column` is one of the ids a (locking) subquery picks, with the subquery run once."""
    if on_postgresql():
        return column == any_(func.array(pick.scalar_subquery()))
    return column.in_(pick.scalar_subquery())


def insert_deliveries(
    activity_id: int, targets: Sequence[tuple[str, str]], now: datetime, *, not_before: datetime | None = None
) -> list[int]:
    """Insert one pending delivery row per (inbox URL, host), first tried at `not_before` (default now); their ids
    (one statement on PostgreSQL)."""
    if not targets:
        return []
    first_try = not_before or now
    if not on_postgresql():
        rows = [{"activity_id": activity_id, "inbox_url": url, "host": host, "state": "pending", "tries": 0,
                 "next_try_at": first_try, "created_at": now} for url, host in targets]
        return list(db.session.scalars(insert(Delivery).returning(Delivery.id), rows))
    pairs = func.unnest(
        bindparam("urls", [url for url, _ in targets], type_=ARRAY(String)),
        bindparam("hosts", [host for _, host in targets], type_=ARRAY(String)),
    ).table_valued("url", "host").render_derived(name="targets")
    values = select(
        literal(activity_id, Integer), pairs.c.url, pairs.c.host, literal("pending"), literal(0, Integer),
        literal(first_try, Delivery.next_try_at.type), literal(now, Delivery.created_at.type),
    )
    columns = ["activity_id", "inbox_url", "host", "state", "tries", "next_try_at", "created_at"]
    return list(db.session.scalars(insert(Delivery).from_select(columns, values).returning(Delivery.id)))
