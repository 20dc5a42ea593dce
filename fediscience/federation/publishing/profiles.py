"""Our users' profile edits federate: `Update` of the Person to their followers (Mastodon refreshes the account).
A key rotation sends the same Update, signed with the retired key, to everyone who may hold the old one."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, union

from ...db import db
from ...users.models import Actor
from ..delivery_keys import ensure_actor_keys
from ..models import Activity, Delivery, Follow, RetiredKey
from ..recipients import follower_inboxes, remote_inboxes
from ..serialize_activities import actor_update_activity
from .audience import publish


def on_profile_updated(sender: Any, actor: Actor, **extra: Any) -> None:
    """A local user's profile changed: `Update{Person}` for the followers."""
    if not actor.local or actor.actor_type != "Person":
        return
    inboxes = follower_inboxes(actor)
    if inboxes:
        ensure_actor_keys(actor)  # the Person document carries the public key
    publish(actor, lambda activity_id: actor_update_activity(actor, activity_id), inboxes)


def key_audience(actor: Actor) -> list[str]:
    """The distinct (shared) inboxes of every remote account following the actor or followed by it, in any state:
    each has verified the actor's signatures, so its server holds the actor's current key."""
    followers = select(Follow.follower_id).where(Follow.followee_id == actor.id)
    followed = select(Follow.followee_id).where(Follow.follower_id == actor.id)
    return remote_inboxes(union(followers, followed))


def publish_key_rotation(actor: Actor, retired: RetiredKey) -> tuple[Activity | None, int]:
    """`Update{Person}` carrying the actor's new key, signed with the retired one, to its key audience; the activity
    (None when there is no one to tell) and how many inboxes it goes to (blocked hosts are skipped)."""
    inboxes = key_audience(actor)
    activity = publish(
        actor, lambda activity_id: actor_update_activity(actor, activity_id), inboxes, signing_key=retired
    )
    if activity is None:
        return None, 0
    deliveries = db.session.scalar(select(func.count()).where(Delivery.activity_id == activity.id))  # blocked: none
    return activity, int(deliveries or 0)
