"""Our actors' RSA keys: generated once (race-safe), loaded once per process."""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import update

from ..activitypub import generate_key_pair, load_private_key
from ..activitypub.keys import public_key_pem
from ..db import db
from ..users.models import Actor
from . import urls


def ensure_keys(actor: Actor) -> None:
    """Give a local actor an RSA-2048 key pair and its `#main-key` key id if it has none (flushes)."""
    if not actor.local:
        raise ValueError("only local actors have keys of ours")
    if actor.private_key_pem:
        if actor.public_key_pem is None or actor.key_id is None:
            actor.public_key_pem = actor.public_key_pem or public_key_pem(load_private_key(actor.private_key_pem))
            actor.key_id = actor.key_id or urls.key_id(actor)
            db.session.flush()
        return
    if actor.id is None:
        db.session.flush()
    pair = generate_key_pair()
    # Conditional, so two processes generating at once keep one key: the loser re-reads the winner's.
    db.session.execute(
        update(Actor)
        .where(Actor.id == actor.id, Actor.private_key_pem.is_(None))
        .values(private_key_pem=pair.private_pem, public_key_pem=pair.public_pem, key_id=urls.key_id(actor))
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(actor, ["private_key_pem", "public_key_pem", "key_id"])


def private_key_of(actor: Actor) -> rsa.RSAPrivateKey:
    """The loaded private key of a local actor (generated first if missing; loading is cached per PEM).

    The cache is keyed by the PEM text, not by the actor: once a rotation has put a new pair on the actor's row,
    the old key can only be reached through the RetiredKey an activity names (key_rotation)."""
    ensure_keys(actor)
    assert actor.private_key_pem is not None
    return load_private_key(actor.private_key_pem, trusted=True)
