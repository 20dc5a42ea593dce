"""In-app notifications: new followers, follow requests, comments and replies on your summaries, mentions, boosts."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, func, select, update

from ..comments.models import Comment
from ..db import db, utcnow
from ..federation.models import Notification
from ..summaries.models import Summary
from ..users.models import Actor

@dataclass(frozen=True)
class RemotePost:
    """A received post that mentions our users: its id, where it is shown, and the start of its text."""

    uri: str
    url: str
    excerpt: str


KINDS = ("follow", "follow_request", "comment", "reply", "mention", "boost")


def notify(
    recipient: Actor, kind: str, *, from_actor: Actor | None = None,
    summary: Summary | None = None, comment: Comment | None = None,
) -> Notification | None:
    """Notify a local actor (never about their own doing); returns None when nobody is to be told."""
    if not recipient.local or recipient.user is None or (from_actor is not None and from_actor.id == recipient.id):
        return None
    notification = Notification(
        recipient_id=recipient.id, kind=kind, from_actor_id=from_actor.id if from_actor else None,
        summary_id=summary.id if summary else None, comment_id=comment.id if comment else None,
    )
    db.session.add(notification)
    return notification


def notify_comment(comment: Comment, summary: Summary, parent: Comment | None) -> None:
    """Tell the summary's author about a comment, and the parent comment's author about a reply."""
    told = set()
    if parent is not None and parent.author_id != comment.author_id:
        notify(parent.author, "reply", from_actor=comment.author, summary=summary, comment=comment)
        told.add(parent.author_id)
    if summary.author_id not in told:
        notify(summary.author, "comment", from_actor=comment.author, summary=summary, comment=comment)


def notify_mention(
    recipient: Actor, from_actor: Actor, note: RemotePost, *,
    summary: Summary | None = None, comment: Comment | None = None,
) -> Notification | None:
    """A `mention` notification with where the post lives and the start of its text, once per recipient and post.

    The post may be a direct message: the notification is shown to its recipient only, never publicly.
    """
    already = select(Notification.id).where(
        Notification.recipient_id == recipient.id, Notification.kind == "mention",
        Notification.object_uri == note.uri,
    )
    if db.session.scalar(already.limit(1)) is not None:
        return None
    notification = notify(recipient, "mention", from_actor=from_actor, summary=summary, comment=comment)
    if notification is not None:
        notification.object_uri, notification.object_url, notification.excerpt = note.uri, note.url, note.excerpt
    return notification


def revise_mentions(from_actor: Actor, note: RemotePost) -> int:
    """The author edited a post that mentioned our users: its notifications show the new text; how many."""
    result = db.session.execute(
        update(Notification)
        .where(Notification.kind == "mention", Notification.object_uri == note.uri,
               Notification.from_actor_id == from_actor.id)
        .values(object_url=note.url, excerpt=note.excerpt)
    )
    return result.rowcount or 0


def withdraw_mentions(from_actor: Actor, object_uri: str) -> int:
    """The author deleted a post that mentioned our users: its notifications go too (as Mastodon's do); how many."""
    result = db.session.execute(
        delete(Notification).where(
            Notification.kind == "mention", Notification.object_uri == object_uri,
            Notification.from_actor_id == from_actor.id,
        )
    )
    return result.rowcount or 0


def notify_boost(booster: Actor, summary: Summary) -> None:
    """Tell the summary's author that someone boosted it."""
    notify(summary.author, "boost", from_actor=booster, summary=summary)


def withdraw_boost_notification(booster: Actor, summary: Summary) -> None:
    """Forget the boost notification of a boost that was undone (as Mastodon does)."""
    db.session.execute(
        delete(Notification).where(
            Notification.kind == "boost", Notification.from_actor_id == booster.id,
            Notification.summary_id == summary.id,
        )
    )


def notifications_for(actor: Actor, limit: int = 50) -> list[Notification]:
    """The actor's latest notifications, newest first."""
    query = select(Notification).where(Notification.recipient_id == actor.id)
    return list(db.session.scalars(query.order_by(Notification.id.desc()).limit(limit)))


def unread_count(actor: Actor) -> int:
    """How many notifications the actor has not seen."""
    query = select(func.count(Notification.id)).where(
        Notification.recipient_id == actor.id, Notification.read_at.is_(None)
    )
    return db.session.scalar(query) or 0


def mark_all_read(actor: Actor) -> None:
    """Mark every notification of the actor as read."""
    db.session.execute(
        update(Notification)
        .where(Notification.recipient_id == actor.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
