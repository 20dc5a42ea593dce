"""The search migration indexes existing rows (backfill) and downgrades cleanly, on both databases."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect

from fediscience.db import db
from fediscience.migrate import alembic_config, drift, upgrade
from fediscience.search import search
from fediscience.users.services import register_user
from tests.helpers import PASSWORD
from tests.search.conftest import paper, summary


def test_downgrade_then_upgrade_indexes_existing_rows(app):
    """Rows written, search objects dropped by a downgrade, then rebuilt: the upgrade's backfill finds them."""
    with app.app_context():
        writer = register_user("writer", "writer@example.org", PASSWORD).actor
        target = paper("Pre-existing paper", abstract="Written before the search index existed.")
        summary(writer, target, "A public summary mentioning zebras.")
        summary(writer, paper("Other"), "A draft mentioning zebras.", draft=True)
        db.session.commit()
        db.session.remove()
        command.downgrade(alembic_config(app), "0001")
    try:
        with app.app_context():
            assert not any(name.startswith("search_") for name in inspect(db.engine).get_table_names())
    finally:
        upgrade(app)
    with app.app_context():
        assert [hit.kind for hit in search("existed").hits] == ["paper"]
        assert [hit.kind for hit in search("zebras").hits] == ["summary"]
    assert drift(app) == []
