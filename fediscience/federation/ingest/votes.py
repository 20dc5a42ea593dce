"""Like (+1), Dislike (−1) and their Undo, on our public summaries."""

from __future__ import annotations

from sqlalchemy import select

from ...db import db
from ...errors import DomainError
from ...summaries.models import Summary
from ...votes.models import Vote
from ...votes.services import cast_vote, remove_vote
from .context import DONE, IGNORED, Ingest, Rejected, embedded_object_id, local_summary, lock_summary, object_type

_VALUES = {"Like": 1, "Dislike": -1}


def on_like(ingest: Ingest) -> str:
    """A remote upvote."""
    return _vote(ingest, 1)


def on_dislike(ingest: Ingest) -> str:
    """A remote downvote."""
    return _vote(ingest, -1)


def _vote(ingest: Ingest, value: int) -> str:
    summary = local_summary(ingest.activity.object_id)
    if summary is None or not summary.is_public:
        return IGNORED
    lock_summary(summary)
    try:
        vote = cast_vote(ingest.sender, summary, value)
    except DomainError as exc:
        raise Rejected(str(exc)) from None
    vote.uri = ingest.activity.id  # the latest vote's id, so that its Undo finds it
    db.session.flush()
    return DONE


def on_undo_vote(ingest: Ingest) -> str:
    """Withdraw a vote: the one with the undone activity's id, else the sender's vote of that sign."""
    vote = db.session.scalar(select(Vote).where(Vote.uri == ingest.activity.object_id))
    if vote is None:
        vote = _vote_by_target(ingest)
    if vote is None:
        return IGNORED
    if vote.actor_id != ingest.sender.id:
        raise Rejected("only the voter can undo a vote")
    summary = _summary_of(vote)
    lock_summary(summary)
    remove_vote(ingest.sender, summary)
    return DONE


def _vote_by_target(ingest: Ingest) -> Vote | None:
    summary = local_summary(embedded_object_id(ingest))
    value = _VALUES.get(object_type(ingest) or "")
    if summary is None or value is None:
        return None
    return db.session.scalar(
        select(Vote).where(Vote.summary_id == summary.id, Vote.actor_id == ingest.sender.id, Vote.value == value)
    )


def _summary_of(vote: Vote) -> Summary:
    summary = db.session.get(Summary, vote.summary_id)
    assert summary is not None  # the foreign key guarantees it
    return summary
