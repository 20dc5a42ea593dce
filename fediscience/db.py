"""The declarative base, the Flask-SQLAlchemy extension and shared column helpers."""

from __future__ import annotations

import secrets
from datetime import datetime, timezone

from flask_sqlalchemy import SQLAlchemy
from typing import Any

from sqlalchemy import DateTime, MetaData, String, TypeDecorator
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, registry

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every database (SQLite stores naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; use utcnow()")
        return value.astimezone(timezone.utc) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value


class Base(DeclarativeBase):
    """Base of every model; constraint names follow NAMING_CONVENTION for stable migrations."""

    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION), type_annotation_map={datetime: UTCDateTime()}
    )


db = SQLAlchemy(model_class=Base)


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(timezone.utc)


def new_public_id() -> str:
    """An opaque, permanent, URL-safe identifier for a public object (ids are cached forever by peers)."""
    alphabet = "abcdefghijkmnpqrstuvwxyz23456789"
    return "".join(secrets.choice(alphabet) for _ in range(12))


class PublicIdMixin:
    """An opaque public id used in the object's permanent URL."""

    public_id: Mapped[str] = mapped_column(String(16), unique=True, default=new_public_id)


class TimestampMixin:
    """Creation and last-change times."""

    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


def insert_ignoring_conflicts(model: Any, *, conflict_on: list[str] | None = None, **values: Any) -> Any:
    """`INSERT … ON CONFLICT DO NOTHING` of one row for the session's database (no savepoint, so no race and no
    early commit: pysqlite commits a transaction that a released SAVEPOINT opened); `conflict_on` names the unique
    columns whose conflict is ignored (default: any)."""
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(model).values(**values).on_conflict_do_nothing(index_elements=conflict_on)


def commit_if_begun() -> None:
    """Commit the request's session if it began a transaction; an untouched session costs nothing to skip.

    (A commit with nothing begun still runs the session's transaction machinery: measurable on the inbox's
    accept path, which commits twice per request.)
    """
    session = db.session()
    if session.in_transaction():
        session.commit()
