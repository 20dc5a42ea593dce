"""Delivery's view of actor keys: make sure an actor can sign, and what it signs with (the loaded key is cached).

An adapter over `federation.keys` (`ensure_keys`, `private_key_of`, which loads each PEM once per process).
"""

from __future__ import annotations

from ..users.models import Actor
from . import keys, urls
from .delivery_signing import Signer


def ensure_actor_keys(actor: Actor) -> None:
    """Give a local actor its key pair if it has none (in the caller's transaction)."""
    keys.ensure_keys(actor)


def signer_for(actor: Actor) -> Signer:
    """The key id, the loaded private key and its PEM (for the signing helpers) that an actor signs with."""
    private_key = keys.private_key_of(actor)
    assert actor.private_key_pem is not None, "private_key_of gives the actor its keys"
    return Signer(urls.key_id(actor), private_key, actor.private_key_pem.encode("ascii"))
