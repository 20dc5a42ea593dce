"""Delivery's view of actor keys: make sure an actor can sign, and what it signs with (the loaded key is cached).

An adapter over `federation.keys` (`ensure_keys`, `private_key_of`, which loads each PEM once per process). An
activity that names a retired key (the Update announcing a rotated key) is signed with that key instead.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select

from ..activitypub import load_private_key
from ..db import db, utcnow
from ..users.models import Actor
from . import keys, urls
from .delivery_signing import Signer
from .models import RetiredKey


def ensure_actor_keys(actor: Actor) -> None:
    """Give a local actor its key pair if it has none (in the caller's transaction)."""
    keys.ensure_keys(actor)


def signer_for(actor: Actor, retired: RetiredKey | None = None) -> Signer:
    """The key id, the loaded private key and its PEM (for the signing helpers) that an actor signs with: its current
    key, or the retired one given (same key id `<actor>#main-key`: peers know no other)."""
    if retired is not None:
        if retired.actor_id != actor.id:
            raise ValueError(f"retired key {retired.id} belongs to actor {retired.actor_id}, not {actor.id}")
        pem = retired.private_key_pem
        return Signer(urls.key_id(actor), load_private_key(pem, trusted=True), pem.encode("ascii"))
    private_key = keys.private_key_of(actor)
    assert actor.private_key_pem is not None, "private_key_of gives the actor its keys"
    return Signer(urls.key_id(actor), private_key, actor.private_key_pem.encode("ascii"))


def rotation_settle() -> timedelta:
    """How long an actor's other activities wait after a key rotation (setting `key_rotation_settle`).

    Mastodon verifies a delivery when it arrives but applies the rotation's Update later, in a job: a delivery
    signed with the new key that overtook it would make Mastodon refetch the actor, see a changed key and re-send
    every local follower's Follow (refollow_worker.rb).
    """
    return timedelta(seconds=current_app.extensions["fediscience.settings"].key_rotation_settle)


def rotation_settles_at(actor: Actor) -> datetime | None:
    """Until when the actor's new activities wait for its key rotation's Update to be applied; None if no wait."""
    retired_at = db.session.scalar(select(func.max(RetiredKey.retired_at)).where(RetiredKey.actor_id == actor.id))
    if retired_at is None:
        return None
    settles = retired_at + rotation_settle()
    return settles if settles > utcnow() else None
