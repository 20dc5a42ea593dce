"""The home page's listings of public summaries: latest, popular (recent votes) and best."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from sqlalchemy import Select, func, select

from ..db import db, utcnow
from ..votes.models import Vote
from .models import Summary

Tab = Literal["latest", "popular", "best"]
TABS: tuple[Tab, ...] = ("latest", "popular", "best")
POPULAR_DAYS = 7


@dataclass
class SummaryPage:
    """One page of a listing."""

    summaries: list[Summary]
    page: int
    has_next: bool


def public_summaries() -> Select[tuple[Summary]]:
    """Summaries everyone may read."""
    return select(Summary).where(~Summary.is_draft, ~Summary.is_private)


def list_summaries(tab: Tab, page: int, per_page: int = 20) -> SummaryPage:
    """A page of public summaries ordered as the tab says."""
    query = {"latest": _latest, "popular": _popular, "best": _best}[tab]()
    rows = list(db.session.scalars(query.limit(per_page + 1).offset((page - 1) * per_page)))
    return SummaryPage(rows[:per_page], page, len(rows) > per_page)


def _latest() -> Select[tuple[Summary]]:
    return public_summaries().order_by(Summary.published_at.desc(), Summary.id.desc())


def _best() -> Select[tuple[Summary]]:
    return public_summaries().order_by(Summary.score.desc(), Summary.published_at.desc(), Summary.id.desc())


def _popular() -> Select[tuple[Summary]]:
    """Summaries with the most net votes cast in the last days (ShortScience's 'popular')."""
    since = utcnow() - timedelta(days=POPULAR_DAYS)
    recent = (
        select(Vote.summary_id, func.sum(Vote.value).label("recent"), func.count().label("votes"))
        .where(Vote.created_at >= since)
        .group_by(Vote.summary_id)
        .subquery()
    )
    return (
        public_summaries()
        .join(recent, recent.c.summary_id == Summary.id)
        .order_by(recent.c.recent.desc(), recent.c.votes.desc(), Summary.score.desc(), Summary.id.desc())
    )
