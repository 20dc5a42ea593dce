"""Announce (a boost) of one of our public summaries, and its Undo.

Mastodon sends `{"type": "Announce", "actor": A, "object": <our summary id>}` to our shared inbox, and undoes it
with `{"type": "Undo", "object": {<the Announce>}}` (the Announce embedded, with its id).
"""

from __future__ import annotations

from ...boosts.services import boost_by_uri, find_boost, record_boost, remove_boost
from ...db import db
from ...errors import DomainError
from ...notifications.services import notify_boost, withdraw_boost_notification
from ...summaries.models import Summary
from .context import DONE, IGNORED, Ingest, Rejected, embedded_object_id, local_summary


def on_announce(ingest: Ingest) -> str:
    """A boost of one of our public summaries (the object's id, or the object embedded); anything else: ignored."""
    summary = local_summary(ingest.activity.object_id)
    if summary is None or not summary.is_public:
        return IGNORED
    booster = ingest.sender
    if booster.local:
        raise Rejected("a boost from a remote inbox cannot come from a local actor")
    try:
        _, created = record_boost(booster, summary, ingest.activity.id)
    except DomainError as exc:
        raise Rejected(str(exc)) from None
    if created:
        notify_boost(booster, summary)
    return DONE


def on_undo_announce(ingest: Ingest) -> str:
    """Withdraw a boost: the one recorded under the undone Announce's id (only its booster may)."""
    boost = boost_by_uri(ingest.activity.object_id)
    if boost is None and ingest.inner is not None and "id" not in ingest.inner:
        # An Undo embedding an Announce without its id: match the sender's boost of the Announce's object.
        summary = local_summary(embedded_object_id(ingest))
        boost = find_boost(ingest.sender, summary) if summary is not None else None
    if boost is None:
        return IGNORED
    if boost.actor_id != ingest.sender.id:
        raise Rejected("only the booster can undo a boost")
    summary = db.session.get(Summary, boost.summary_id)
    remove_boost(boost)
    if summary is not None:
        withdraw_boost_notification(ingest.sender, summary)
    return DONE
