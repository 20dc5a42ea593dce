"""Delivery's view of actor keys: make sure an actor can sign, and its loaded (cached) private key.

An adapter over `federation.keys` (`ensure_keys`, `private_key_of`); while that module is absent it falls back
to the pure `activitypub.keys` helpers (generation, and `load_private_key`, cached by PEM).
"""

from __future__ import annotations

import importlib.util
from types import ModuleType

from ..activitypub import generate_key_pair, load_private_key
from ..users.models import Actor
from . import urls
from .delivery_http import Signer


def _keys_module() -> ModuleType | None:
    if importlib.util.find_spec(f"{__package__}.keys") is None:
        return None
    from . import keys

    return keys


def ensure_actor_keys(actor: Actor) -> None:
    """Give a local actor its key pair if it has none (in the caller's transaction)."""
    keys = _keys_module()
    if keys is not None:
        keys.ensure_keys(actor)
        return
    if actor.private_key_pem is None:
        pair = generate_key_pair()
        actor.private_key_pem, actor.public_key_pem = pair.private_pem, pair.public_pem
        actor.key_id = urls.key_id(actor)


def signer_for(actor: Actor) -> Signer:
    """The key id and the loaded private key an actor signs with."""
    keys = _keys_module()
    if keys is not None:
        return Signer(urls.key_id(actor), keys.private_key_of(actor))
    assert actor.private_key_pem is not None, "send_activity gives the actor its keys"
    return Signer(urls.key_id(actor), load_private_key(actor.private_key_pem))
