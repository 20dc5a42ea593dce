"""The `fediscience token` commands: create, list and revoke personal access tokens."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from flask import Flask

    from ..users.models import User


def _app() -> Flask:
    from ..cli import _app as build_app  # imported late: fediscience.cli imports this module

    return build_app()


def _user(name: str) -> User:
    from ..users.services import find_user

    found = find_user(name)
    if found is None:
        raise click.ClickException(f"no user named {name}")
    return found


@click.group("token")
def group() -> None:
    """Manage personal access tokens for the JSON API."""


@group.command("create")
@click.argument("name")
@click.option("--user", "username", required=True, help="The user the token acts as.")
def create(name: str, username: str) -> None:
    """Create a token and print it (it is shown only once)."""
    from ..db import db
    from ..errors import DomainError
    from .services import create_token

    with _app().app_context():
        try:
            token, plaintext = create_token(_user(username), name)
        except DomainError as exc:
            raise click.ClickException(str(exc)) from None
        db.session.commit()
        click.echo(f"created token {token.id} ({token.name}) for {token.user.username}; it is shown only once:",
                   err=True)
        click.echo(plaintext)


@group.command("list")
@click.option("--user", "username", required=True, help="Whose tokens to list.")
def list_(username: str) -> None:
    """List a user's tokens (id, prefix, name, created, last used, revoked)."""
    from .services import list_tokens

    with _app().app_context():
        for token in list_tokens(_user(username)):
            last = token.last_used_at.isoformat(timespec="seconds") if token.last_used_at else "never used"
            state = f"revoked {token.revoked_at.isoformat(timespec='seconds')}" if token.revoked_at else "active"
            click.echo(
                f"{token.id}\t{token.prefix}…\t{token.name}\t{token.created_at.isoformat(timespec='seconds')}"
                f"\t{last}\t{state}"
            )


@group.command("revoke")
@click.argument("token_id", type=int)
def revoke(token_id: int) -> None:
    """Revoke a token by id: it stops working at once."""
    from ..db import db
    from ..errors import DomainError
    from .services import get_token, revoke_token

    with _app().app_context():
        try:
            token = revoke_token(get_token(token_id))
        except DomainError as exc:
            raise click.ClickException(str(exc)) from None
        db.session.commit()
        click.echo(f"revoked token {token.id} ({token.name}) of {token.user.username}")
