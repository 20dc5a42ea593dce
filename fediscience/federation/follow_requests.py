"""Follows of our actors by others: recording them, accepting (with `Accept`) and rejecting (with `Reject`).

The answer embeds the original Follow as received (same id): Mastodon matches it by that id.
"""

from __future__ import annotations

from typing import Any
from uuid import uuid4

from sqlalchemy import select

from ..activitypub import AS_CONTEXT
from ..db import db, insert_ignoring_conflicts, utcnow
from ..errors import NotFound
from ..users.models import Actor
from .models import Follow, InboxItem
from .urls import actor_url

_NOT_EMBEDDED = ("@context", "signature")


def record_follow(follower: Actor, followee: Actor, uri: str | None) -> tuple[Follow, bool]:
    """The follower's Follow of the followee (created pending, or the existing one with the newest id)."""
    follow = _existing(follower, followee)
    if follow is not None:
        _adopt_uri(follow, uri)
        return follow, False
    statement = insert_ignoring_conflicts(
        Follow, follower_id=follower.id, followee_id=followee.id, state="pending", uri=uri
    )
    inserted = db.session.execute(statement.returning(Follow.id)).scalar_one_or_none() is not None
    follow = _existing(follower, followee)
    assert follow is not None  # inserted now, or by a concurrent delivery of another Follow that won the race
    if not inserted:
        _adopt_uri(follow, uri)
    return follow, inserted


def _existing(follower: Actor, followee: Actor) -> Follow | None:
    return db.session.scalar(
        select(Follow).where(Follow.follower_id == follower.id, Follow.followee_id == followee.id)
    )


def _adopt_uri(follow: Follow, uri: str | None) -> None:
    """A repeated Follow carries a new id: the Accept must name that one."""
    if uri is None or follow.uri == uri:
        return
    if db.session.scalar(select(Follow.id).where(Follow.uri == uri)) is None:
        follow.uri = uri
        db.session.flush()


def notify(follow: Follow, kind: str) -> None:
    """Tell the followee about a new follower ("follow") or a request to approve ("follow_request")."""
    from ..notifications.services import notify as notify_actor

    notify_actor(follow.followee, kind, from_actor=follow.follower)
    db.session.flush()


def accept_follow(follow: Follow, original: dict[str, Any] | None = None) -> None:
    """Accept the follow and, for a remote follower, send `Accept` of the original Follow."""
    if follow.state != "accepted":
        follow.state, follow.accepted_at = "accepted", utcnow()
        db.session.flush()
    _answer(follow, "Accept", original)


def reject_follow(follow: Follow, original: dict[str, Any] | None = None) -> None:
    """Refuse (or end) the follow and, for a remote follower, send `Reject` of the original Follow."""
    _answer(follow, "Reject", original)
    db.session.delete(follow)
    db.session.flush()


def _answer(follow: Follow, kind: str, original: dict[str, Any] | None) -> None:
    follower, followee = follow.follower, follow.followee
    if follower.local:
        return
    inbox = follower.inbox_url or follower.shared_inbox_url
    if inbox is None:
        return
    from .outbox import send_activity

    ours = actor_url(followee)
    payload = {
        "@context": AS_CONTEXT,
        "id": f"{ours}#{kind.lower()}s/follows/{uuid4().hex}",
        "type": kind,
        "actor": ours,
        "object": embeddable(original) if original is not None else original_follow(follow),
    }
    send_activity(followee, payload, [inbox])


def embeddable(activity: dict[str, Any]) -> dict[str, Any]:
    """A received activity as an embedded object: unchanged but for its @context and LD signature."""
    return {key: value for key, value in activity.items() if key not in _NOT_EMBEDDED}


def original_follow(follow: Follow) -> dict[str, Any]:
    """The Follow as we received it (kept in the inbox), or rebuilt from the row when it is gone."""
    if follow.uri is not None:
        payload = db.session.scalar(select(InboxItem.payload).where(InboxItem.activity_uri == follow.uri))
        if isinstance(payload, dict):
            return embeddable(payload)
    rebuilt: dict[str, Any] = {"type": "Follow", "actor": actor_url(follow.follower), "object": actor_url(follow.followee)}
    return {"id": follow.uri, **rebuilt} if follow.uri else rebuilt


def pending_requests(followee: Actor) -> list[Follow]:
    """The follow requests waiting for the followee's approval, oldest first."""
    query = select(Follow).where(Follow.followee_id == followee.id, Follow.state == "pending")
    return list(db.session.scalars(query.order_by(Follow.created_at, Follow.id)))


def get_request(followee: Actor, follow_id: int) -> Follow:
    """One pending request addressed to the followee; NotFound otherwise."""
    follow = db.session.get(Follow, follow_id)
    if follow is None or follow.followee_id != followee.id or follow.state != "pending":
        raise NotFound("There is no such follow request.")
    return follow
