"""Our users' profile edits federate: `Update` of the Person to their followers (Mastodon refreshes the account)."""

from __future__ import annotations

from typing import Any

from ...users.models import Actor
from ..delivery_keys import ensure_actor_keys
from ..recipients import follower_inboxes
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
