"""The search migration indexes existing rows (backfill) and downgrades cleanly, on both databases."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect, text

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


def test_search_vectors_are_stored_inline_on_postgresql(app, backend):
    """Migration 0005: ranking reads every hit's vector, so PostgreSQL keeps it in the row (MAIN), not in TOAST."""
    if backend != "postgresql":
        with app.app_context():  # SQLite has no storage modes; the FTS5 table is the index there
            assert "search_documents" in inspect(db.engine).get_table_names()
        return
    with app.app_context():
        rows = db.session.execute(text(
            "SELECT c.relname, a.attstorage FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
            "WHERE a.attname = 'search_vector' AND c.relname IN ('papers', 'summaries') ORDER BY c.relname"
        )).all()
    assert [tuple(row) for row in rows] == [("papers", "m"), ("summaries", "m")]
