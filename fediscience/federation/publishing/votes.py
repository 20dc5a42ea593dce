"""Our users' votes on summaries held on other instances: +1 → `Like`, −1 → `Dislike`, withdrawn → `Undo`.

Votes on our own summaries stay here. The sent activity's id is kept on the vote (`Vote.uri`, as the receiving
side keeps a peer's), so that the `Undo` embeds exactly what it undoes (Mastodon guesses from a bare id).
A change of sign undoes the previous vote before sending the new one.
"""

from __future__ import annotations

from typing import Any

from ...activitypub import AS_CONTEXT, vocab
from ...db import db
from ...summaries.models import Summary
from ...users.models import Actor
from ...votes.models import Vote
from ..urls import actor_url
from .audience import publish

_KINDS: dict[int, type[vocab.Activity]] = {1: vocab.Like, -1: vocab.Dislike}


def vote_activity(activity_id: str, value: int, voter: Actor, summary: Summary) -> dict[str, Any]:
    """The `Like` (+1) or `Dislike` (−1) of a remote summary, addressed to its author."""
    return _KINDS[value](
        context=AS_CONTEXT, id=activity_id, actor=actor_url(voter), object=summary.uri,
        to=[actor_url(summary.author)],
    ).to_json()


def undo_activity(activity_id: str, undone: dict[str, Any], voter: Actor, summary: Summary) -> dict[str, Any]:
    """The `Undo` of a vote we sent, embedding it."""
    embedded = {key: value for key, value in undone.items() if key != "@context"}
    return vocab.Undo(
        context=AS_CONTEXT, id=activity_id, actor=actor_url(voter), object=embedded, to=[actor_url(summary.author)],
    ).to_json()


def _target(vote: Vote) -> tuple[Actor, Summary, str] | None:
    """The local voter, the remote summary and its author's inbox, or None if the vote does not federate."""
    voter = db.session.get(Actor, vote.actor_id)
    summary = db.session.get(Summary, vote.summary_id)
    if voter is None or summary is None or not voter.local or summary.uri is None or summary.author.local:
        return None
    inbox = summary.author.inbox_url or summary.author.shared_inbox_url  # Mastodon sends likes to the own inbox
    return (voter, summary, inbox) if inbox else None


def _undo(vote: Vote, value: int, voter: Actor, summary: Summary, inbox: str) -> None:
    """Undo the activity we sent for the vote's earlier value (none if it was never sent)."""
    if vote.uri is None:
        return
    undone = vote_activity(vote.uri, value, voter, summary)
    publish(voter, lambda activity_id: undo_activity(activity_id, undone, voter, summary), [inbox])


def on_vote_cast(sender: Any, vote: Vote, previous: int | None = None, **extra: Any) -> None:
    """A new or changed vote: undo the previous one if any, then Like or Dislike."""
    target = _target(vote)
    if target is None:
        return
    voter, summary, inbox = target
    if previous is not None:
        _undo(vote, previous, voter, summary, inbox)
    sent = publish(voter, lambda activity_id: vote_activity(activity_id, vote.value, voter, summary), [inbox])
    vote.uri = sent.uri if sent is not None else None
    db.session.flush()


def on_vote_removed(sender: Any, vote: Vote, **extra: Any) -> None:
    """A withdrawn vote: `Undo` of its Like or Dislike."""
    target = _target(vote)
    if target is not None:
        _undo(vote, vote.value, *target)
