"""search vectors kept inline

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02

Ranking reads every matching row's `search_vector`. With the default EXTENDED storage PostgreSQL moves the vector
(the widest column of a summary row) to the TOAST table, so ranking a few hundred hits cost a TOAST index lookup
each: about 0.1 ms a hit, most of a search's time. MAIN storage keeps the vector in the row (compressed if need be)
and moves `source` and `html` out first. Rows written before this migration keep their layout until rewritten:
`VACUUM FULL summaries, papers` (it locks the tables) applies it to them. Nothing to do on SQLite.
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

TABLES = ("papers", "summaries")


def _set_storage(storage: str) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in TABLES:
        op.execute(f"ALTER TABLE {table} ALTER COLUMN search_vector SET STORAGE {storage}")


def upgrade() -> None:
    _set_storage("MAIN")


def downgrade() -> None:
    _set_storage("EXTENDED")
