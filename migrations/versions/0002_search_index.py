"""search index

Full-text search over papers (title, authors, abstract) and public summaries (Markdown source).

SQLite: an FTS5 table `search_documents` kept in sync by triggers. Its rowid encodes the document (paper id * 2,
summary id * 2 + 1) so that the triggers update and delete by rowid instead of scanning the table. Only public
summaries are indexed. Beware: a later migration that rebuilds `papers` or `summaries` in Alembic's batch mode (copy,
drop, rename) drops these triggers with the old table; it must create them again.

PostgreSQL: a generated, stored `search_vector` column on papers and summaries (weights A title, B authors, C
abstract and summary text; the 'english' configuration, whose stemming matches the porter tokenizer on SQLite) with
GIN indexes; the one on summaries is partial, over public summaries only.

Everything created here is named `search_*`, which fediscience.migrations_filter hides from autogenerate.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_SQLITE_PAPER_ROW = "NEW.id * 2, 'paper', NEW.id, NEW.title, NEW.authors_text, coalesce(NEW.abstract, '')"
_SQLITE_SUMMARY_ROW = "NEW.id * 2 + 1, 'summary', NEW.id, '', '', NEW.source"
_SQLITE_COLUMNS = "search_documents(rowid, kind, ref_id, title, authors, body)"
_SQLITE_PUBLIC = "NOT NEW.is_draft AND NOT NEW.is_private"

SQLITE_UPGRADE = [
    "CREATE VIRTUAL TABLE search_documents USING fts5("
    "kind UNINDEXED, ref_id UNINDEXED, title, authors, body, tokenize = 'porter unicode61 remove_diacritics 2')",
    f"""CREATE TRIGGER search_papers_insert AFTER INSERT ON papers BEGIN
        INSERT INTO {_SQLITE_COLUMNS} VALUES ({_SQLITE_PAPER_ROW});
    END""",
    f"""CREATE TRIGGER search_papers_update AFTER UPDATE OF title, authors_text, abstract ON papers BEGIN
        DELETE FROM search_documents WHERE rowid = OLD.id * 2;
        INSERT INTO {_SQLITE_COLUMNS} VALUES ({_SQLITE_PAPER_ROW});
    END""",
    """CREATE TRIGGER search_papers_delete AFTER DELETE ON papers BEGIN
        DELETE FROM search_documents WHERE rowid = OLD.id * 2;
    END""",
    f"""CREATE TRIGGER search_summaries_insert AFTER INSERT ON summaries WHEN {_SQLITE_PUBLIC} BEGIN
        INSERT INTO {_SQLITE_COLUMNS} VALUES ({_SQLITE_SUMMARY_ROW});
    END""",
    f"""CREATE TRIGGER search_summaries_update AFTER UPDATE OF source, is_draft, is_private ON summaries BEGIN
        DELETE FROM search_documents WHERE rowid = OLD.id * 2 + 1;
        INSERT INTO {_SQLITE_COLUMNS} SELECT {_SQLITE_SUMMARY_ROW} WHERE {_SQLITE_PUBLIC};
    END""",
    """CREATE TRIGGER search_summaries_delete AFTER DELETE ON summaries BEGIN
        DELETE FROM search_documents WHERE rowid = OLD.id * 2 + 1;
    END""",
    f"""INSERT INTO {_SQLITE_COLUMNS}
        SELECT id * 2, 'paper', id, title, authors_text, coalesce(abstract, '') FROM papers""",
    f"""INSERT INTO {_SQLITE_COLUMNS}
        SELECT id * 2 + 1, 'summary', id, '', '', source FROM summaries WHERE NOT is_draft AND NOT is_private""",
]

SQLITE_DOWNGRADE = [
    *(
        f"DROP TRIGGER IF EXISTS search_{table}_{event}"
        for table in ("papers", "summaries")
        for event in ("insert", "update", "delete")
    ),
    "DROP TABLE IF EXISTS search_documents",
]

# Generated columns are filled for existing rows when added (the backfill), and PostgreSQL recomputes them only
# when a column they depend on changes, so votes and counters do not re-parse the text.
POSTGRESQL_UPGRADE = [
    """ALTER TABLE papers ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english', coalesce(title, '')), 'A')
        || setweight(to_tsvector('english', coalesce(authors_text, '')), 'B')
        || setweight(to_tsvector('english', coalesce(abstract, '')), 'C')
    ) STORED""",
    "CREATE INDEX search_papers_vector ON papers USING gin (search_vector)",
    """ALTER TABLE summaries ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english', source), 'C')
    ) STORED""",
    "CREATE INDEX search_summaries_vector ON summaries USING gin (search_vector) WHERE NOT is_draft AND NOT is_private",
]

POSTGRESQL_DOWNGRADE = [
    "DROP INDEX IF EXISTS search_summaries_vector",
    "ALTER TABLE summaries DROP COLUMN IF EXISTS search_vector",
    "DROP INDEX IF EXISTS search_papers_vector",
    "ALTER TABLE papers DROP COLUMN IF EXISTS search_vector",
]


def _statements(upgrading: bool) -> list[str]:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        return SQLITE_UPGRADE if upgrading else SQLITE_DOWNGRADE
    if dialect == "postgresql":
        return POSTGRESQL_UPGRADE if upgrading else POSTGRESQL_DOWNGRADE
    raise NotImplementedError(f"no search index for the {dialect} database")


def upgrade() -> None:
    for statement in _statements(upgrading=True):
        op.execute(statement)


def downgrade() -> None:
    for statement in _statements(upgrading=False):
        op.execute(statement)
