"""The `fediscience keys` commands: rotate a local user's key pair and tell the fediverse."""

from __future__ import annotations

import click


@click.group("keys")
def group() -> None:
    """Actor keys (RSA) of local users."""


@group.command("rotate")
@click.argument("username")
def rotate(username: str) -> None:
    """Give USERNAME a new key pair, announced by an Update signed with the old key (followers are kept)."""
    from flask import current_app

    from ..cli import _app
    from ..db import db
    from ..users.services import find_user
    from .key_rotation import KeyRotationError, rotate_keys

    with _app().app_context():
        user = find_user(username)
        if user is None:
            raise click.ClickException(f"no local user named {username!r}")
        try:
            rotation = rotate_keys(user.actor)
        except KeyRotationError as exc:
            db.session.rollback()
            raise click.ClickException(str(exc)) from None
        db.session.commit()
        click.echo(f"rotated the key of {user.username}")
        click.echo(f"  old key {rotation.old_fingerprint} (retired; signs the Update)")
        click.echo(f"  new key {rotation.new_fingerprint}")
        if rotation.activity is None:
            click.echo("  no remote follower or followed account: no Update sent")
        else:
            click.echo(f"  Update {rotation.activity.uri} queued for {rotation.inboxes} inbox(es)")
            settle = current_app.extensions["fediscience.settings"].key_rotation_settle
            click.echo(f"  other activities of {user.username} wait {settle:g} s, so that the Update arrives first")
