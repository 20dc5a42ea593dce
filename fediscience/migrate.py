"""Alembic wiring: upgrade the database, and check that the models and migrations agree."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from flask import Flask

from .db import db

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(app: Flask) -> Config:
    """An Alembic configuration bound to the app's database."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = db.engines[None] if hasattr(db, "engines") else db.engine
    return config


def upgrade(app: Flask, revision: str = "head") -> None:
    """Create or upgrade the database to the given revision."""
    with app.app_context():
        command.upgrade(alembic_config(app), revision)


def drift(app: Flask) -> list[Any]:
    """Differences between the models and the migrated database (empty when they agree)."""
    from .migrations_filter import include_object

    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"include_object": include_object, "compare_type": True}
        )
        return compare_metadata(context, db.metadata)


def make_revision(app: Flask, message: str) -> None:
    """Autogenerate a new migration from the models (for developers)."""
    with app.app_context():
        command.revision(alembic_config(app), message=message, autogenerate=True)
