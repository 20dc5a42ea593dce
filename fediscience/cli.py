"""The `fediscience` command: init, serve, worker, user and paper administration."""

from __future__ import annotations

import click
from flask import Flask

from .config import ConfigError


def _app() -> Flask:
    from . import create_app

    try:
        return create_app()
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None


@click.group()
@click.version_option(package_name="fediscience")
def main() -> None:
    """FediScience: a federated ShortScience.org."""


@main.command()
def init() -> None:
    """Create or upgrade the database (Alembic migrations)."""
    from .migrate import upgrade

    app = _app()
    upgrade(app)
    click.echo(f"database ready: {app.config['SQLALCHEMY_DATABASE_URI'].split('@')[-1]}")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=int, help="Port to listen on.")
@click.option("--threads", default=8, show_default=True, type=int, help="Request threads.")
def serve(host: str, port: int, threads: int) -> None:
    """Upgrade the database and serve the web app (waitress)."""
    from waitress import serve as waitress_serve

    from .migrate import upgrade

    app = _app()
    upgrade(app)
    settings = app.extensions["fediscience.settings"]
    jobs = "RQ on " + settings.redis_url.split("@")[-1] if settings.redis_url else "a background thread"
    click.echo(f"FediScience on http://{host}:{port} (public address {settings.base_url}); jobs run on {jobs}")
    if not settings.redis_url:
        from .jobs.worker import Sweeper

        Sweeper(app, settings.sweeper_interval).start()  # embedded mode: the web process sweeps too
    waitress_serve(app, host=host, port=port, threads=threads, ident="FediScience")


@main.command()
@click.option("--burst", is_flag=True, help="Stop once the queue is empty.")
def worker(burst: bool) -> None:
    """Run jobs from Redis (needs FEDISCIENCE_REDIS_URL)."""
    from .jobs.worker import run_worker

    app = _app()
    if not app.extensions["fediscience.settings"].redis_url:
        raise click.ClickException("FEDISCIENCE_REDIS_URL is not set: without Redis, `serve` runs jobs itself.")
    run_worker(app, burst=burst)


@main.group()
def user() -> None:
    """Manage local users."""


@user.command("create")
@click.argument("name")
@click.option("--email", required=True, help="The user's email address.")
@click.option("--password", help="The password (prompted for when not given).")
@click.option("--admin", is_flag=True, help="Make the user an administrator.")
def user_create(name: str, email: str, password: str | None, admin: bool) -> None:
    """Create a local user."""
    from .db import db
    from .errors import DomainError
    from .users.services import register_user

    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    app = _app()
    with app.app_context():
        try:
            created = register_user(name, email, password, is_admin=admin)
        except DomainError as exc:
            raise click.ClickException(str(exc)) from None
        db.session.commit()
        click.echo(f"created {created.username} ({created.actor.public_id})")


@user.command("promote")
@click.argument("name")
def user_promote(name: str) -> None:
    """Make a user an administrator."""
    from .db import db
    from .users.services import find_user, promote

    app = _app()
    with app.app_context():
        found = find_user(name)
        if found is None:
            raise click.ClickException(f"no user named {name}")
        promote(found)
        db.session.commit()
        click.echo(f"{found.username} is now an administrator")


@main.group()
def paper() -> None:
    """Manage papers."""


@paper.command("add")
@click.argument("identifier")
def paper_add(identifier: str) -> None:
    """Add a paper by arXiv id or URL, DOI or DBLP key, fetching its metadata now."""
    from .db import db
    from .errors import DomainError
    from .jobs.papers import run_lookup
    from .papers.services import get_lookup, request_paper

    app = _app()
    with app.app_context():
        try:
            outcome = request_paper(identifier, schedule=False)
        except DomainError as exc:
            raise click.ClickException(str(exc)) from None
        if outcome.paper is None:
            lookup_id, public_id = outcome.lookup.id, outcome.lookup.public_id
            db.session.commit()
            run_lookup(lookup_id)
            lookup = get_lookup(public_id)
            if lookup.status != "done":
                raise click.ClickException(lookup.error or "the metadata could not be fetched")
            found = lookup.paper
        else:
            found = outcome.paper
        settings = app.extensions["fediscience.settings"]
        click.echo(f"{found.title}\n{settings.base_url}/p/{found.public_id}")


def _register_subcommands() -> None:
    from .federation.domains_cli import group as domains_group
    from .imports.cli import group as import_group
    from .tokens.cli import group as token_group

    main.add_command(import_group)
    main.add_command(token_group)
    main.add_command(domains_group)
    from .federation.cli import deliveries; main.add_command(deliveries)  # noqa: E702 (one line per command)
    from .federation.keys_cli import group as keys_group; main.add_command(keys_group)  # noqa: E702


_register_subcommands()

if __name__ == "__main__":
    main()
