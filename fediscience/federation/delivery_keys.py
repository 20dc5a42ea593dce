"""Delivery's view of actor keys: make sure an actor can sign, and what it signs with (the loaded key is cached).

An adapter over `federation.keys` (`ensure_keys`, `private_key_of`, which loads each PEM once per process). An
activity that names a retired key (the Update announcing a rotated key) is signed with that key instead.
"""

from __future__ import annotations

from ..activitypub import load_private_key
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
