"""Per-user figures shown on profiles."""

from __future__ import annotations

from sqlalchemy import func, select

from ..db import db
from ..summaries.models import Summary
from .models import Actor


def sciscore(actor: Actor) -> float:
    """ShortScience's sciscore: upvotes received on public summaries ÷ number of public summaries."""
    public = (Summary.author_id == actor.id) & ~Summary.is_draft & ~Summary.is_private
    count, upvotes = db.session.execute(
        select(func.count(Summary.id), func.coalesce(func.sum(Summary.upvotes), 0)).where(public)
    ).one()
    return round(upvotes / count, 2) if count else 0.0
