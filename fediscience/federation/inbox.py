"""Receiving activities: size cap, signature and Digest checks, the signer's key, domain blocks, storing.

A request either fails with an `InboxError` (4xx, nothing stored) or yields an `Outcome`: stored as a pending
`InboxItem` (unique on the activity id; a duplicate is a no-op) with a drain job queued unless one already is, or
answered 202 and dropped (a `Delete` of an actor we cannot or need not act on).

The accept path of a known signer makes no database query but the INSERT: keys and blocked domains come from
in-process caches (`inbox_cache`, with their staleness bounds), the item is written by one autocommit statement
(`inbox_store`), and the drain is queued by one Redis `SET NX` (`jobs.inbox.request_drain`). What a fetch of the
signer wrote into the request's session is committed before the item is stored.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from flask import current_app
from redis.exceptions import RedisError
from sqlalchemy import select

from ..activitypub import (
    ActivityError,
    BadSignature,
    InvalidKey,
    ProtocolError,
    SignatureError,
    SignatureParams,
    SignedRequest,
    actor_id_of_key,
    check_request,
    load_public_key,
    verify_signature,
)
from ..activitypub.parse import IncomingActivity, has_as_context, read_activity
from ..db import commit_if_begun, db, utcnow
from ..users.models import Actor
from .inbox_cache import SignerKey, caches
from .inbox_store import insert_item
from .hosts import block_names, host_of
from .models import RemoteHost

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 1024 * 1024


class InboxError(Exception):
    """A refused delivery: the HTTP status and a reason for the JSON answer; nothing was stored."""

    def __init__(self, status: int, reason: str, code: str = "refused") -> None:
        super().__init__(reason)
        self.status, self.reason, self.code = status, reason, code

    def as_json(self) -> dict[str, str]:
        """The answer body: {"error": reason, "code": code}."""
        return {"error": self.reason, "code": self.code}


@dataclass(frozen=True)
class Outcome:
    """What became of an accepted delivery: stored (item id), a duplicate, or dropped (with why)."""

    item_id: int | None = None
    duplicate: bool = False
    dropped: str | None = None


def too_large() -> InboxError:
    """The 413 refusal of a body over MAX_BODY_BYTES."""
    return InboxError(413, f"the body is larger than {MAX_BODY_BYTES} bytes", "too_large")


def receive(request: SignedRequest, *, expected_host: str) -> Outcome:
    """Verify a POSTed activity and store it (the caller commits); InboxError says why it was refused."""
    params = _checked(request, expected_host)
    activity = parse_body(request.body or b"")
    refuse_blocked((params.key_id, activity.actor))
    if _is_actor_delete(activity):
        return _receive_actor_delete(request, params, activity)
    signer = verified_signer(request, params)
    if signer != activity.actor:
        raise InboxError(
            401, f"the request is signed by {signer}, not by the activity's actor {activity.actor}", "signer_mismatch"
        )
    return store(activity)


def _checked(request: SignedRequest, expected_host: str) -> SignatureParams:
    try:
        return check_request(request, expected_host=expected_host)
    except SignatureError as exc:
        raise InboxError(401, exc.reason, exc.code) from None


def parse_body(body: bytes) -> IncomingActivity:
    """The body as a structurally valid activity with the ActivityStreams @context; InboxError 400 otherwise."""
    try:
        doc = json.loads(body)
    except (ValueError, RecursionError):
        raise InboxError(400, "the body is not valid JSON", "bad_json") from None
    if b"\\u" in body:
        _refuse_unstorable(doc)
    if not has_as_context(doc):
        raise InboxError(400, "the activity's @context does not include ActivityStreams", "bad_context")
    try:
        return read_activity(doc)
    except ActivityError as exc:
        raise InboxError(400, exc.reason, exc.code) from None


def _refuse_unstorable(doc: Any) -> None:
    """Escaped NULs and lone surrogates parse in Python but PostgreSQL refuses them: a 400, not a 500."""
    text = json.dumps(doc, ensure_ascii=False)
    if "\x00" in text:
        raise InboxError(400, "the body contains a NUL character", "bad_json")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise InboxError(400, "the body contains an unpaired surrogate", "bad_json") from None


def hosts_of(urls: Iterable[str]) -> set[str]:
    """Every host a block may name for these URLs: host:port, host, and each parent domain."""
    found: set[str] = set()
    for url in urls:
        found |= block_names(host_of(url))
    return found


def refuse_blocked(urls: Iterable[str]) -> None:
    """InboxError 403 if any of the URLs' hosts (or a parent domain) is blocked (cached: see inbox_cache)."""
    hosts = hosts_of(urls)
    if not hosts:
        return
    blocked = hosts & caches().blocked.current(_blocked_hosts)
    if blocked:
        raise InboxError(403, f"the domain {min(blocked)} is blocked on this instance", "domain_blocked")


def _blocked_hosts() -> list[str]:
    return list(db.session.scalars(select(RemoteHost.host).where(RemoteHost.blocked)))


def public_key_of(actor: Actor) -> object:
    """The actor's loaded public key (load_public_key caches it per PEM); InboxError 401 if absent or unusable."""
    if not actor.public_key_pem:
        raise InboxError(401, f"the actor {actor.uri} has no public key", "no_public_key")
    try:
        return load_public_key(actor.public_key_pem)
    except (InvalidKey, ValueError):
        raise InboxError(401, f"the public key of {actor.uri} cannot be used", "invalid_key") from None


def _signer(key_id: str, *, refresh: bool) -> Actor:
    from .client import FetchError, GoneError
    from .remote_actors import actor_for_key_id

    try:
        return actor_for_key_id(key_id, refresh=refresh)
    except GoneError:
        raise InboxError(401, f"the signer's key {key_id} is gone", "key_gone") from None
    except (FetchError, ProtocolError) as exc:
        raise InboxError(401, f"the signer's key {key_id} could not be fetched: {exc}", "unknown_key") from None


def verified_signer(request: SignedRequest, params: SignatureParams) -> str:
    """The id of the actor whose key verifies the signature: the key cached in this process, else the stored key,
    else the key refetched once (as Mastodon does for a rotated key)."""
    cached = caches().keys.get(params.key_id)
    if cached is not None and _verifies(request, params, cached.public_key):
        return cached.actor_uri
    signer = _signer(params.key_id, refresh=False)
    if cached is None or signer.public_key_pem != cached.pem:
        try:
            return _remember(_verified_key(request, params, signer))
        except (BadSignature, InboxError):
            pass
    signer = _signer(params.key_id, refresh=True)
    try:
        return _remember(_verified_key(request, params, signer))
    except SignatureError as exc:
        raise InboxError(401, exc.reason, exc.code) from None


def _verified_key(request: SignedRequest, params: SignatureParams, signer: Actor) -> SignerKey:
    """The signer's key, once it verifies the request; SignatureError or InboxError otherwise."""
    public_key = public_key_of(signer)
    verify_signature(request, params, public_key)
    assert signer.uri is not None and signer.public_key_pem is not None
    return SignerKey(params.key_id, signer.uri, signer.public_key_pem, public_key)


def _verifies(request: SignedRequest, params: SignatureParams, public_key: object) -> bool:
    try:
        verify_signature(request, params, public_key)
    except SignatureError:
        return False
    return True


def _remember(key: SignerKey) -> str:
    caches().keys.put(key)
    return key.actor_uri


def _is_actor_delete(activity: IncomingActivity) -> bool:
    return activity.type == "Delete" and activity.object_id == activity.actor


def _receive_actor_delete(request: SignedRequest, params: SignatureParams, activity: IncomingActivity) -> Outcome:
    """`Delete` of an actor: act only on the cached key, or on a refetch answering 404/410; otherwise drop."""
    actor = db.session.scalar(select(Actor).where(Actor.uri == activity.actor, ~Actor.local))
    if actor is None:
        return Outcome(dropped="a Delete of an actor we do not know")
    if params.key_id != actor.key_id and actor_id_of_key(params.key_id) != actor.uri:
        raise InboxError(401, f"the key {params.key_id} is not the key of {actor.uri}", "signer_mismatch")
    try:
        verify_signature(request, params, public_key_of(actor))
    except (SignatureError, InboxError):
        if not _actor_is_gone(actor.uri):
            return Outcome(dropped="a Delete of an actor that neither verifies nor is gone")
    return store(activity)


def _actor_is_gone(uri: str) -> bool:
    from .client import FetchError, GoneError
    from .remote_actors import resolve_actor_uri

    try:
        resolve_actor_uri(uri, refresh=True)
    except GoneError:
        return True
    except (FetchError, ProtocolError):
        return False
    return False


def store(activity: IncomingActivity) -> Outcome:
    """Insert the activity as a pending InboxItem unless its id is known, and queue a drain unless one is queued.

    The request's session is committed first (a signer fetched on the way); the item commits on its own.
    """
    from ..jobs.inbox import request_drain

    commit_if_begun()
    item_id = insert_item({
        "activity_uri": activity.id,
        "actor_uri": activity.actor,
        "activity_type": activity.type[:32],
        "payload": activity.raw,
        "status": "pending",
        "attempts": 0,
        "received_at": utcnow(),
    })
    if item_id is None:
        return Outcome(duplicate=True)
    try:
        request_drain(current_app._get_current_object())  # type: ignore[attr-defined]
    except RedisError:  # the item is stored: the sweeper queues its drain within an interval
        log.warning("could not queue the inbox drain for item %s", item_id, exc_info=True)
    return Outcome(item_id=item_id)
