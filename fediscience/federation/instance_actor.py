"""The instance actor: an `Application` named after our host that signs every outbound GET.

It is created once, in its own committed transaction (insert-on-conflict on its key id, so concurrent processes end
with one row), because remote servers may fetch /actor to verify our first signed GET while the transaction that
triggered that GET is still open. It has no User row; usernames of users are letters, digits and underscores only
(users.services.USERNAME), so the host name (with a dot or a colon) cannot be a user's. A bare host such as
`localhost` could equal a username: WebFinger must answer `acct:<host>@<host>` with the instance actor first.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from sqlalchemy import insert, select
from sqlalchemy.dialects import postgresql, sqlite

from ..activitypub import generate_key_pair
from ..db import db, new_public_id, utcnow
from ..users.models import Actor
from . import urls

INSTANCE_ACTOR_TYPE = "Application"


def instance_actor() -> Actor:
    """The instance actor, with its keys; created on first use (race-safe, committed at once)."""
    actor = _find()
    if actor is None:
        _create()
        actor = _find()
        assert actor is not None, "the instance actor was just inserted"
    _follow_settings(actor)
    return actor


def is_instance_actor(actor: Actor) -> bool:
    """True for our instance actor."""
    return actor.local and actor.actor_type == INSTANCE_ACTOR_TYPE


def _find() -> Actor | None:
    query = select(Actor).where(Actor.local, Actor.actor_type == INSTANCE_ACTOR_TYPE).order_by(Actor.id).limit(1)
    return db.session.scalar(query)


def _host() -> str:
    return str(current_app.extensions["fediscience.settings"].host)[:64]


def _key_id() -> str:
    return f"{urls.instance_actor_url()}#main-key"


def _values() -> dict[str, Any]:
    pair = generate_key_pair()
    now = utcnow()
    settings = current_app.extensions["fediscience.settings"]
    return {
        "public_id": new_public_id(),
        "local": True,
        "username": _host(),
        "display_name": settings.site_name[:100],
        "bio": "",
        "actor_type": INSTANCE_ACTOR_TYPE,
        "manually_approves_followers": True,
        "public_key_pem": pair.public_pem,
        "private_key_pem": pair.private_pem,
        "key_id": _key_id(),
        "created_at": now,
        "updated_at": now,
    }


def _insert_ignoring_conflict(dialect: str, values: dict[str, Any]) -> Any:
    if dialect == "postgresql":
        return postgresql.insert(Actor).values(values).on_conflict_do_nothing()
    if dialect == "sqlite":
        return sqlite.insert(Actor).values(values).on_conflict_do_nothing()
    return insert(Actor).values(values)


def _create() -> None:
    values = _values()
    if _session_holds_sqlite_write_lock():
        # A second SQLite connection would wait for our own lock: insert in the session instead.
        db.session.execute(_insert_ignoring_conflict("sqlite", values))
        return
    with db.engine.begin() as connection:
        connection.execute(_insert_ignoring_conflict(connection.dialect.name, values))


def _session_holds_sqlite_write_lock() -> bool:
    connection = db.session.connection()
    if connection.dialect.name != "sqlite":
        return False
    return bool(getattr(connection.connection.dbapi_connection, "in_transaction", False))


def _follow_settings(actor: Actor) -> None:
    """Keep the name and key id in step with the base URL (they change only if the instance is moved)."""
    key_id, host = _key_id(), _host()
    if actor.key_id != key_id or actor.username != host:
        actor.key_id, actor.username = key_id, host
        db.session.flush()
