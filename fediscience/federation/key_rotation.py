"""Rotating a local user's key pair: the old pair retired, a new one in its place, announced by an `Update` of the
actor signed with the OLD key.

Why the old key (mastodon-interop.md §3, "Key rotation gotcha"): Mastodon's `update.rb` processes an actor Update
with `signed_with_known_key: true`, so the new `publicKey` it carries replaces the cached one without the
refollow; a key found changed by any other refetch makes every local follower unfollow and follow again (pending
until we Accept). The retired pair stays in `retired_keys` so the Update's deliveries (and their retries) can be
signed with it.

The loaded-key cache (`activitypub.keys.load_private_key`) is keyed by the PEM text, and every signer (the worker's
threads, the signing helper processes) is handed the PEM it must use: once the actor row carries the new pair,
nothing can sign for the actor with the old key except an activity that names the retired key.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass

from cryptography.hazmat.primitives import serialization
from sqlalchemy import update

from ..activitypub import generate_key_pair, load_public_key
from ..db import db
from ..errors import DomainError
from ..users.models import Actor
from . import urls
from .models import Activity, RetiredKey
from .publishing.profiles import publish_key_rotation


class KeyRotationError(DomainError):
    """The actor's key cannot be rotated (not a local user, no key yet, rotated meanwhile)."""


@dataclass(frozen=True)
class Rotation:
    """What a rotation did: the retired pair, both fingerprints, and the Update (None when nobody is to be told)."""

    retired: RetiredKey
    old_fingerprint: str
    new_fingerprint: str
    activity: Activity | None
    inboxes: int


def key_fingerprint(public_pem: str) -> str:
    """`SHA256:<base64>` of the key's DER SubjectPublicKeyInfo (as `ssh-keygen -l` shows keys)."""
    der = load_public_key(public_pem).public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return "SHA256:" + base64.b64encode(hashlib.sha256(der).digest()).decode("ascii").rstrip("=")


def rotate_keys(actor: Actor) -> Rotation:
    """Retire a local user's key pair, give it a new RSA-2048 pair and write the Update announcing it (flushes)."""
    if not actor.local or actor.user is None:
        raise KeyRotationError(f"{actor.handle} is not a local user: only our own users' keys can be rotated")
    old_private, old_public = actor.private_key_pem, actor.public_key_pem
    if not old_private or not old_public:
        raise KeyRotationError(f"{actor.handle} has no key yet (it gets one when it first signs): nothing to rotate")
    pair = generate_key_pair()
    # Conditional on the old key, so two rotations at once cannot both retire the same pair.
    changed = db.session.execute(
        update(Actor)
        .where(Actor.id == actor.id, Actor.private_key_pem == old_private)
        .values(private_key_pem=pair.private_pem, public_key_pem=pair.public_pem, key_id=urls.key_id(actor))
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        raise KeyRotationError(f"the key of {actor.handle} changed meanwhile (another rotation?): try again")
    db.session.refresh(actor, ["private_key_pem", "public_key_pem", "key_id"])
    retired = RetiredKey(actor_id=actor.id, public_key_pem=old_public, private_key_pem=old_private)
    db.session.add(retired)
    db.session.flush()
    activity, inboxes = publish_key_rotation(actor, retired)
    return Rotation(retired, key_fingerprint(old_public), key_fingerprint(pair.public_pem), activity, inboxes)
