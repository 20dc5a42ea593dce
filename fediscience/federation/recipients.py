"""Whom an activity goes to: inboxes of followers and of given actors, shared inboxes preferred, deduplicated."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import CompoundSelect, Select, func, select

from ..db import db
from ..users.models import Actor
from .models import Follow


def follower_inboxes(actor: Actor) -> list[str]:
    """The distinct inboxes of an actor's accepted remote followers (one per shared inbox), sorted."""
    return remote_inboxes(
        select(Follow.follower_id).where(Follow.followee_id == actor.id, Follow.state == "accepted")
    )


def remote_inboxes(actor_ids: Select[Any] | CompoundSelect) -> list[str]:
    """The distinct inboxes (shared inbox preferred) of the remote actors whose ids `actor_ids` selects, sorted."""
    inbox = func.coalesce(Actor.shared_inbox_url, Actor.inbox_url)
    query = select(inbox).where(Actor.id.in_(actor_ids), ~Actor.local, inbox.is_not(None)).distinct()
    # Sorted here, not by ORDER BY: PostgreSQL would sort every follower's row (10,000 for a popular author) by
    # collation before removing duplicates, instead of hashing them and leaving a few hundred to sort.
    return sorted(db.session.scalars(query))


def inboxes_of(actors: Iterable[Actor]) -> list[str]:
    """The distinct inboxes of these remote actors, shared inbox preferred, in the order given."""
    found: dict[str, None] = {}
    for actor in actors:
        inbox = actor.shared_inbox_url or actor.inbox_url
        if not actor.local and inbox:
            found.setdefault(inbox, None)
    return list(found)
