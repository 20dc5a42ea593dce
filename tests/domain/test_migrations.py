"""Alembic migrations create the schema the models describe (autogenerate reports no drift)."""

from __future__ import annotations

from sqlalchemy import inspect

from fediscience.db import db
from fediscience.migrate import drift


def test_migrations_match_the_models(app):
    assert drift(app) == []


def test_migrations_create_every_table(app):
    with app.app_context():
        tables = set(inspect(db.engine).get_table_names())
    assert {table.name for table in db.metadata.sorted_tables} <= tables
    assert "alembic_version" in tables
