"""Alembic environment: the engine comes from the FediScience app (see fediscience.migrate)."""

from alembic import context

from fediscience import models  # noqa: F401  (complete the metadata)
from fediscience.db import Base
from fediscience.migrations_filter import include_object

config = context.config


def run_migrations_online() -> None:
    """Run the migrations on the app's engine, inside one transaction."""
    engine = config.attributes["engine"]
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            include_object=include_object,
            compare_type=True,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run_migrations_online()
