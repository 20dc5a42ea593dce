"""Writing an accepted activity: one `INSERT … ON CONFLICT DO NOTHING RETURNING id` on its own autocommit connection.

One statement is one round trip and its own transaction. On PostgreSQL that connection commits asynchronously
(`synchronous_commit = off`): the row is visible to the worker at once, but the 202 does not wait for the WAL flush
(an ORM insert with a synchronous commit took 1.4–9 ms on the benchmark machine, more than everything else the inbox
does). The price: if the PostgreSQL *server* crashes (not a web or worker process), items accepted in the last
~0.6 s (3 × wal_writer_delay) may be lost although their sender got a 202. Everything else the app commits stays
synchronous. Mastodon takes a larger risk of the same kind: it keeps verified inbound activities only in Redis
(Sidekiq) until a worker has processed them.
"""

from __future__ import annotations

import os
import threading
from functools import lru_cache
from typing import Any

from sqlalchemy import create_engine
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError

from ..db import db
from .models import InboxItem

_ENGINES: dict[tuple[int, str], Engine] = {}
_LOCK = threading.Lock()


def insert_item(values: dict[str, Any]) -> int | None:
    """Insert a pending InboxItem and commit it; its id, or None if an item with this activity id exists."""
    try:
        return _insert(values)
    except DBAPIError as exc:
        if not exc.connection_invalidated:
            raise
        return _insert(values)  # a pooled connection the server had closed (a restart): the pool was reset, retry


def _insert(values: dict[str, Any]) -> int | None:
    with _accept_connection() as connection:
        return connection.execute(_insert_ignoring_duplicate(connection.dialect.name), values).scalar()


def _accept_connection() -> Connection:
    """An autocommit connection: PostgreSQL's from the accept engine, otherwise the app's engine's."""
    engine = db.engine
    if engine.dialect.name != "postgresql":
        return engine.connect().execution_options(isolation_level="AUTOCOMMIT")
    return _accept_engine(engine).connect()


def _accept_engine(app_engine: Engine) -> Engine:
    """One engine per process and database (apps in tests share it): autocommit, asynchronous commit, no pre-ping
    (a dead connection is retried once instead, which saves a round trip per request)."""
    url = app_engine.url.render_as_string(hide_password=False)
    key = (os.getpid(), url)  # never share pooled connections across a fork (gunicorn workers)
    engine = _ENGINES.get(key)
    if engine is None:
        with _LOCK:
            engine = _ENGINES.get(key)
            if engine is None:
                engine = create_engine(
                    app_engine.url, isolation_level="AUTOCOMMIT", pool_size=2, max_overflow=8,
                    connect_args={"options": "-c synchronous_commit=off"},
                )
                _ENGINES[key] = engine
    return engine


@lru_cache(maxsize=None)
def _insert_ignoring_duplicate(dialect: str) -> Any:
    """The statement, built once per dialect; the values are bound at execution."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = InboxItem.__table__
    return insert(table).on_conflict_do_nothing(index_elements=["activity_uri"]).returning(table.c.id)
