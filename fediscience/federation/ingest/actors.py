"""Delete{actor}: a remote account is gone, so its summaries, comments, votes, boosts, follows and the notifications
it caused go with it (as Mastodon removes a deleted account's statuses and notifications)."""

from __future__ import annotations

from sqlalchemy import delete, select, update

from ...boosts.models import Boost
from ...comments.models import Comment
from ...db import db, utcnow
from ...summaries.models import Summary
from ...users.models import Actor
from ...votes.models import Vote
from ...votes.services import refresh_score
from ..models import Follow, Notification
from .context import DONE, IGNORED, Ingest
from .notes import delete_summary


def on_delete_actor(ingest: Ingest) -> str:
    """Remove a deleted remote actor's summaries, comments (placeholders where replies hang on them), votes, boosts,
    follows and notifications."""
    actor = db.session.scalar(select(Actor).where(Actor.uri == ingest.activity.actor, ~Actor.local))
    if actor is None:
        return IGNORED
    remove_summaries(actor)
    remove_comments(actor)
    remove_votes(actor)
    db.session.execute(delete(Notification).where(Notification.from_actor_id == actor.id))
    db.session.execute(delete(Boost).where(Boost.actor_id == actor.id))
    db.session.execute(delete(Follow).where((Follow.follower_id == actor.id) | (Follow.followee_id == actor.id)))
    db.session.flush()
    return DONE


def remove_summaries(actor: Actor) -> None:
    """Delete the actor's remote summaries as their own Delete would (votes, comments and revisions go with them)."""
    for summary in list(db.session.scalars(select(Summary).where(Summary.author_id == actor.id))):
        delete_summary(summary, actor)


def remove_comments(actor: Actor) -> None:
    """Delete the actor's comments; those with replies stay as empty placeholders so the threads hold."""
    ids = list(db.session.scalars(select(Comment.id).where(Comment.author_id == actor.id)))
    if not ids:
        return
    with_replies = set(db.session.scalars(select(Comment.parent_id).where(Comment.parent_id.in_(ids)).distinct()))
    placeholders = [comment_id for comment_id in ids if comment_id in with_replies]
    if placeholders:
        db.session.execute(
            update(Comment)
            .where(Comment.id.in_(placeholders))
            .values(source="", html="", deleted_at=utcnow())
            .execution_options(synchronize_session=False)
        )
    gone = [comment_id for comment_id in ids if comment_id not in with_replies]
    if gone:
        db.session.execute(delete(Comment).where(Comment.id.in_(gone)).execution_options(synchronize_session=False))
    db.session.expire_all()


def remove_votes(actor: Actor) -> None:
    """Delete the actor's votes and recount the scores of the summaries they were on."""
    summary_ids = list(db.session.scalars(select(Vote.summary_id).where(Vote.actor_id == actor.id)))
    if not summary_ids:
        return
    query = select(Summary).where(Summary.id.in_(summary_ids)).order_by(Summary.id).with_for_update()
    summaries = list(db.session.scalars(query))  # locked: see context.lock_summary
    db.session.execute(delete(Vote).where(Vote.actor_id == actor.id).execution_options(synchronize_session=False))
    for summary in summaries:
        refresh_score(summary)
