"""The user directory, ranked by sciscore."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Float, cast, func, select

from ..db import db
from ..summaries.models import Summary
from .models import Actor


@dataclass
class DirectoryRow:
    """A local user with their public summary count, upvotes and sciscore."""

    actor: Actor
    summaries: int
    upvotes: int
    sciscore: float


def user_directory(page: int, per_page: int = 50) -> tuple[list[DirectoryRow], bool]:
    """Local users with public summaries, best sciscore first; returns (rows, has_next)."""
    count = func.count(Summary.id)
    upvotes = func.coalesce(func.sum(Summary.upvotes), 0)
    score = cast(upvotes, Float) / count
    query = (
        select(Actor, count, upvotes)
        .join(Summary, Summary.author_id == Actor.id)
        .where(Actor.local, ~Summary.is_draft, ~Summary.is_private)
        .group_by(Actor.id)
        .order_by(score.desc(), count.desc(), Actor.username)
        .limit(per_page + 1)
        .offset((page - 1) * per_page)
    )
    rows = [DirectoryRow(actor, n, up, round(up / n, 2)) for actor, n, up in db.session.execute(query)]
    return rows[:per_page], len(rows) > per_page
