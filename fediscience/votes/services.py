"""Casting, changing and removing votes; keeping each summary's score."""

from __future__ import annotations

from sqlalchemy import func, select, update

from ..db import db, insert_ignoring_conflicts, utcnow
from ..errors import Forbidden, Invalid
from ..signals import vote_cast, vote_removed
from ..summaries.models import Summary
from ..users.models import Actor
from .models import Vote


def cast_vote(actor: Actor, summary: Summary, value: int) -> Vote:
    """Vote +1 or -1 on someone else's public summary; a second vote changes the first."""
    if value not in (1, -1):
        raise Invalid("A vote is +1 or -1.", field="value")
    if summary.author_id == actor.id:
        raise Forbidden("You cannot vote on your own summary.")
    if not summary.is_public:
        raise Forbidden("Only published public summaries can be voted on.")
    vote = _existing_vote(actor, summary)
    if vote is None:
        vote, inserted = _insert_vote(actor, summary, value)
    else:
        inserted = False
    previous = None if inserted else vote.value
    if previous == value:
        return vote
    vote.value = value
    db.session.flush()
    refresh_score(summary)
    vote_cast.send(vote=vote, previous=previous)
    return vote


def remove_vote(actor: Actor, summary: Summary) -> None:
    """Withdraw the actor's vote on the summary, if any."""
    vote = _existing_vote(actor, summary)
    if vote is None:
        return
    db.session.delete(vote)
    db.session.flush()
    refresh_score(summary)
    vote_removed.send(vote=vote)


def refresh_score(summary: Summary) -> None:
    """Recompute the summary's counts from its votes (race-free: computed in one UPDATE)."""
    up = select(func.count()).where(Vote.summary_id == summary.id, Vote.value == 1).scalar_subquery()
    down = select(func.count()).where(Vote.summary_id == summary.id, Vote.value == -1).scalar_subquery()
    db.session.execute(
        update(Summary).where(Summary.id == summary.id).values(upvotes=up, downvotes=down, score=up - down)
    )
    db.session.refresh(summary, ["upvotes", "downvotes", "score"])


def votes_by(actor: Actor | None, summary_ids: list[int]) -> dict[int, int]:
    """The actor's vote value per summary id, for the given summaries (one query)."""
    if actor is None or not summary_ids:
        return {}
    rows = db.session.execute(
        select(Vote.summary_id, Vote.value).where(Vote.actor_id == actor.id, Vote.summary_id.in_(summary_ids))
    )
    return {summary_id: value for summary_id, value in rows}


def upvotes_received(actor: Actor) -> int:
    """Upvotes on the actor's public summaries."""
    public = (Summary.author_id == actor.id) & ~Summary.is_draft & ~Summary.is_private
    return db.session.scalar(select(func.coalesce(func.sum(Summary.upvotes), 0)).where(public)) or 0


def _existing_vote(actor: Actor, summary: Summary) -> Vote | None:
    return db.session.scalar(select(Vote).where(Vote.actor_id == actor.id, Vote.summary_id == summary.id))


def _insert_vote(actor: Actor, summary: Summary, value: int) -> tuple[Vote, bool]:
    """Insert the vote; if a concurrent first vote by the same actor won, return that one instead."""
    now = utcnow()
    statement = insert_ignoring_conflicts(
        Vote, actor_id=actor.id, summary_id=summary.id, value=value, created_at=now, updated_at=now
    )
    inserted = db.session.execute(statement.returning(Vote.id)).scalar_one_or_none() is not None
    vote = _existing_vote(actor, summary)
    assert vote is not None  # inserted now, or by the concurrent winner
    return vote, inserted
