"""Recording, withdrawing and counting boosts of our summaries."""

from __future__ import annotations

from sqlalchemy import func, select

from ..db import db, insert_ignoring_conflicts, utcnow
from ..errors import Conflict, Forbidden
from ..summaries.models import Summary
from ..users.models import Actor
from .models import Boost


def record_boost(actor: Actor, summary: Summary, uri: str) -> tuple[Boost, bool]:
    """The actor's boost of a public summary under the Announce id `uri`, and whether it is new.

    The same Announce again changes nothing; another Announce by the same actor keeps one boost, with the new id.
    """
    if not summary.is_public:
        raise Forbidden("Only published public summaries can be boosted.")
    boost = find_boost(actor, summary)
    if boost is not None:
        other = boost_by_uri(uri)
        if other is not None and other.id != boost.id:
            raise Conflict("This Announce id already belongs to another boost.")
        boost.uri = uri
        db.session.flush()
        return boost, False
    statement = insert_ignoring_conflicts(Boost, actor_id=actor.id, summary_id=summary.id, uri=uri, created_at=utcnow())
    inserted = db.session.execute(statement.returning(Boost.id)).scalar_one_or_none() is not None
    boost = find_boost(actor, summary)
    if boost is None:  # the conflict was on the uri: that Announce id already stands for another boost
        raise Conflict("This Announce id already belongs to another boost.")
    if not inserted:  # a concurrent Announce by the same actor won the insert
        boost.uri = uri
        db.session.flush()
    return boost, inserted


def remove_boost(boost: Boost) -> None:
    """Withdraw a boost."""
    db.session.delete(boost)
    db.session.flush()


def find_boost(actor: Actor, summary: Summary) -> Boost | None:
    """The actor's boost of the summary, if any."""
    return db.session.scalar(select(Boost).where(Boost.actor_id == actor.id, Boost.summary_id == summary.id))


def boost_by_uri(uri: str | None) -> Boost | None:
    """The boost behind the Announce with this id, if any."""
    return db.session.scalar(select(Boost).where(Boost.uri == uri)) if uri else None


def boost_count(summary: Summary) -> int:
    """How many actors boosted the summary."""
    return db.session.scalar(select(func.count()).select_from(Boost).where(Boost.summary_id == summary.id)) or 0
