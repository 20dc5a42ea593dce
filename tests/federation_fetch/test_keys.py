"""Keys of local actors and the instance actor."""

from __future__ import annotations

import threading
import time

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from fediscience.activitypub import load_public_key
from fediscience.db import db
from fediscience.federation import urls
from fediscience.federation.instance_actor import instance_actor, is_instance_actor
from fediscience.federation.keys import ensure_keys, private_key_of
from fediscience.users.models import Actor, User
from fediscience.users.services import find_user, register_user
from tests.helpers import PASSWORD, register


def _pairs(actor: Actor) -> bool:
    """True if the actor's private key signs what its public key verifies."""
    signature = private_key_of(actor).sign(b"probe", padding.PKCS1v15(), hashes.SHA256())
    assert actor.public_key_pem is not None
    load_public_key(actor.public_key_pem).verify(signature, b"probe", padding.PKCS1v15(), hashes.SHA256())
    return True


def test_registration_gives_a_user_keys(app_context: Flask) -> None:
    user = register_user("alice", "alice@example.org", PASSWORD)
    db.session.commit()
    actor = db.session.get(Actor, user.actor.id)
    assert actor is not None and actor.private_key_pem and actor.public_key_pem
    assert actor.key_id == urls.key_id(actor) == f"http://localhost/u/{actor.public_id}#main-key"
    assert _pairs(actor)


def test_registration_through_the_web_gives_keys(app: Flask, client: FlaskClient) -> None:
    register(client, "bob")
    with app.app_context():
        user = find_user("bob")
        assert user is not None and user.actor.key_id and "BEGIN PRIVATE KEY" in (user.actor.private_key_pem or "")


def test_ensure_keys_keeps_existing_keys(app_context: Flask) -> None:
    actor = register_user("alice", "alice@example.org", PASSWORD).actor
    before = (actor.private_key_pem, actor.public_key_pem, actor.key_id)
    ensure_keys(actor)
    assert (actor.private_key_pem, actor.public_key_pem, actor.key_id) == before


def test_keys_are_generated_lazily_for_older_actors(app_context: Flask) -> None:
    actor = Actor(local=True, username="old", display_name="old")
    db.session.add(actor)
    db.session.flush()
    assert actor.private_key_pem is None
    key = private_key_of(actor)
    assert key.key_size == 2048
    assert actor.key_id == urls.key_id(actor) and _pairs(actor)
    assert private_key_of(actor) is key  # loaded once


def test_remote_actors_get_no_keys_of_ours(app_context: Flask) -> None:
    remote = Actor(local=False, username="r", domain="example.org", uri="https://example.org/users/r")
    db.session.add(remote)
    db.session.flush()
    with pytest.raises(ValueError):
        ensure_keys(remote)


def test_the_instance_actor(app_context: Flask) -> None:
    actor = instance_actor()
    assert (actor.local, actor.actor_type, actor.username) == (True, "Application", "localhost")
    assert actor.key_id == "http://localhost/actor#main-key" == urls.key_id(actor)
    assert urls.actor_url(actor) == "http://localhost/actor"
    assert is_instance_actor(actor) and _pairs(actor)
    assert db.session.scalar(select(func.count()).select_from(User).where(User.actor_id == actor.id)) == 0
    assert instance_actor().id == actor.id


def test_the_instance_actor_is_committed_at_once(app_context: Flask) -> None:
    first = instance_actor()
    first_id, first_key = first.id, first.public_key_pem
    db.session.rollback()  # the caller's transaction failing must not lose the key remote servers saw
    again = instance_actor()
    assert (again.id, again.public_key_pem) == (first_id, first_key)


def test_the_instance_actor_within_a_writing_transaction(app_context: Flask) -> None:
    register_user("alice", "alice@example.org", PASSWORD)  # flushed: the session holds a write lock on SQLite
    started = time.monotonic()
    actor = instance_actor()
    assert time.monotonic() - started < 2.0
    db.session.commit()
    assert db.session.get(Actor, actor.id) is not None


def test_one_instance_actor_under_concurrency(app: Flask) -> None:
    ids: list[int] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            with app.app_context():
                ids.append(instance_actor().id)
                db.session.commit()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(set(ids)) == 1
    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(Actor).where(Actor.actor_type == "Application"))
        assert count == 1
