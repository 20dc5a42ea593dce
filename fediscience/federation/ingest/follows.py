"""Follow, Undo{Follow}, and Accept / Reject of the follows we sent."""

from __future__ import annotations

from sqlalchemy import select

from ...activitypub.parse import id_of
from ...db import db, utcnow
from ...users.models import Actor
from ..follow_requests import accept_follow, notify, record_follow
from ..models import Follow
from .context import DONE, IGNORED, Ingest, Rejected, embedded_object_id, local_actor


def on_follow(ingest: Ingest) -> str:
    """A remote actor follows one of our users: pending (locked account) or accepted with an `Accept`."""
    target = local_actor(ingest.activity.object_id)
    if target is None or target.actor_type == "Application":
        return IGNORED
    follower = ingest.sender
    if follower.local:
        raise Rejected("a Follow from a remote inbox cannot come from a local actor")
    follow, created = record_follow(follower, target, ingest.activity.id)
    if follow.state == "accepted":  # a repeated Follow: answer again (Mastodon does the same)
        accept_follow(follow, ingest.item.payload)
    elif target.manually_approves_followers:
        if created:
            notify(follow, "follow_request")
    else:
        accept_follow(follow, ingest.item.payload)
        notify(follow, "follow")
    return DONE


def on_undo_follow(ingest: Ingest) -> str:
    """The follower withdraws a Follow: the row goes (matched by the Follow's id, or by who follows whom)."""
    follow = _follow_by_uri(ingest.activity.object_id)
    if follow is None and ingest.inner is not None:
        followee = local_actor(embedded_object_id(ingest))
        follow = _follow_between(ingest.sender, followee) if followee is not None else None
    if follow is None:
        return IGNORED
    if follow.follower_id != ingest.sender.id:
        raise Rejected("only the follower can undo a Follow")
    db.session.delete(follow)
    db.session.flush()
    return DONE


def on_accept_follow(ingest: Ingest) -> str:
    """The remote account accepts one of our users' Follows; its recent summaries are then back-filled."""
    follow = _our_follow(ingest)
    if follow is None:
        return IGNORED
    if follow.state != "accepted":
        follow.state, follow.accepted_at = "accepted", utcnow()
        db.session.flush()
        _schedule_backfill(follow)
    return DONE


def _schedule_backfill(follow: Follow) -> None:
    from ...jobs.backfill import backfill_outbox  # the job module imports ingest: import it when needed
    from ...jobs.queue import enqueue_after_commit

    enqueue_after_commit(backfill_outbox, follow.followee_id)


def on_reject_follow(ingest: Ingest) -> str:
    """The remote account refuses (or ends) one of our users' Follows: the row goes."""
    follow = _our_follow(ingest)
    if follow is None:
        return IGNORED
    db.session.delete(follow)
    db.session.flush()
    return DONE


def _our_follow(ingest: Ingest) -> Follow | None:
    """A Follow one of our actors sent to the sender: by the Follow's id, else by the embedded Follow's actor."""
    follow = _follow_by_uri(ingest.activity.object_id)
    if follow is None and ingest.inner is not None:
        follower = local_actor(id_of(ingest.inner.get("actor")))
        follow = _follow_between(follower, ingest.sender) if follower is not None else None
    if follow is not None and (follow.followee_id != ingest.sender.id or not follow.follower.local):
        raise Rejected("only the followed account can accept or reject a Follow")
    return follow


def _follow_by_uri(uri: str | None) -> Follow | None:
    return db.session.scalar(select(Follow).where(Follow.uri == uri)) if uri else None


def _follow_between(follower: Actor, followee: Actor) -> Follow | None:
    return db.session.scalar(
        select(Follow).where(Follow.follower_id == follower.id, Follow.followee_id == followee.id)
    )
