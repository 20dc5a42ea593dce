"""Following others: local follows are recorded at once, remote ones send Follow and wait for Accept."""

from __future__ import annotations

from sqlalchemy import select

from ..activitypub import AS_CONTEXT
from ..db import db, new_public_id, utcnow
from ..errors import Invalid
from ..notifications.services import notify
from ..users.models import Actor
from .models import Follow
from .urls import activity_url, actor_url


def follow(follower: Actor, followee: Actor) -> Follow:
    """Follow an actor: accepted at once for an unlocked local account, otherwise pending."""
    if follower.id == followee.id:
        raise Invalid("You cannot follow yourself.")
    existing = following_row(follower, followee)
    if existing is not None:
        return existing
    row = Follow(follower_id=follower.id, followee_id=followee.id, state="pending")
    if followee.local:
        _follow_local(row, follower, followee)
    else:
        row.uri = activity_url(new_public_id())
        _send(follower, followee, _follow_activity(row.uri, follower, followee))
    db.session.add(row)
    db.session.flush()
    return row


def unfollow(follower: Actor, followee: Actor) -> None:
    """Stop following (or cancel a pending request); a remote account is told with Undo{Follow}."""
    row = following_row(follower, followee)
    if row is None:
        return
    if not followee.local and row.uri:
        undo = {
            "@context": AS_CONTEXT, "id": f"{row.uri}/undo", "type": "Undo", "actor": actor_url(follower),
            "object": _follow_activity(row.uri, follower, followee),
        }
        _send(follower, followee, undo)
    db.session.delete(row)
    db.session.flush()


def following_row(follower: Actor, followee: Actor) -> Follow | None:
    """The follower's Follow of the followee, if any."""
    return db.session.scalar(
        select(Follow).where(Follow.follower_id == follower.id, Follow.followee_id == followee.id)
    )


def followed_ids(actor: Actor) -> list[int]:
    """Ids of the actors this actor follows (accepted follows only)."""
    query = select(Follow.followee_id).where(Follow.follower_id == actor.id, Follow.state == "accepted")
    return list(db.session.scalars(query))


def _follow_local(row: Follow, follower: Actor, followee: Actor) -> None:
    if followee.manually_approves_followers:
        notify(followee, "follow_request", from_actor=follower)
        return
    row.state, row.accepted_at = "accepted", utcnow()
    notify(followee, "follow", from_actor=follower)


def _follow_activity(uri: str, follower: Actor, followee: Actor) -> dict[str, object]:
    return {"@context": AS_CONTEXT, "id": uri, "type": "Follow", "actor": actor_url(follower), "object": followee.uri}


def _send(follower: Actor, followee: Actor, payload: dict[str, object]) -> None:
    """Follows go to the followee's own inbox (as Mastodon sends them), not the shared one."""
    from .outbox import send_activity

    inbox = followee.inbox_url or followee.shared_inbox_url
    if inbox is None:
        raise Invalid("This account has no inbox we can deliver to.")
    send_activity(follower, payload, [inbox])
