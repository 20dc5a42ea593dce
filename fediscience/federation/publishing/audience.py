"""Whom our changes go to, and the one way they are sent: a fresh activity id, nothing when there is no one."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import select

from ...comments.models import Comment
from ...db import db, new_public_id
from ...users.models import Actor
from ..models import Activity, Delivery, RetiredKey
from ..outbox import send_activity
from ..recipients import inboxes_of
from ..urls import activity_url


def new_activity_id() -> str:
    """A fresh, never reused id for an activity we send (Mastodon refuses to undo or re-create on reused ids)."""
    return activity_url(new_public_id())


def publish(
    actor: Actor, build: Callable[[str], dict[str, Any]], inboxes: Iterable[str], *,
    signing_key: RetiredKey | None = None,
) -> Activity | None:
    """Send `build(new id)` to the inboxes in the caller's transaction (signed with `signing_key` if given, see
    `outbox.send_activity`); with no inbox at all, write nothing."""
    targets = list(dict.fromkeys(inboxes))
    if not targets:
        return None
    return send_activity(actor, build(new_activity_id()), targets, signing_key=signing_key)


def delivered_inboxes(object_uri: str) -> list[str]:
    """The inboxes that were sent an activity about this object (its Create, Updates), so its Delete reaches them."""
    query = (
        select(Delivery.inbox_url)
        .join(Activity, Activity.id == Delivery.activity_id)
        .where(Activity.object_uri == object_uri)
        .distinct()
        .order_by(Delivery.inbox_url)
    )
    return list(db.session.scalars(query))


def thread_inboxes(comment: Comment) -> list[str]:
    """The remote participants of a comment's thread: the summary's author, then every remote commenter on it."""
    commenters = select(Comment.author_id).where(Comment.summary_id == comment.summary_id)
    remote = db.session.scalars(
        select(Actor).where(Actor.id.in_(commenters), ~Actor.local).order_by(Actor.id)
    )
    return inboxes_of([comment.summary.author, *remote])

