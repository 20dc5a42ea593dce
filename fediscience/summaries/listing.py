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
    if tab == "popular":
        # over-fetch: a few of the most voted may be private or drafts by now
        query = _popular(window=2 * page * per_page + 50)
    else:
        query = {"latest": _latest, "best": _best}[tab]()
    rows = list(db.session.scalars(query.limit(per_page + 1).offset((page - 1) * per_page)))
    return SummaryPage(rows[:per_page], page, len(rows) > per_page)


def _latest() -> Select[tuple[Summary]]:
    return public_summaries().order_by(Summary.published_at.desc(), Summary.id.desc())


def _best() -> Select[tuple[Summary]]:
    return public_summaries().order_by(Summary.score.desc(), Summary.published_at.desc(), Summary.id.desc())


def _popular(window: int) -> Select[tuple[Summary]]:
    """Summaries with the most net votes cast in the last days (ShortScience's 'popular').

    The recent votes are summed and ranked first (an index-only scan of ix_votes_recent), and only the best
    `window` of them are joined to summaries: the tab never sorts every summary.
    """
    since = utcnow() - timedelta(days=POPULAR_DAYS)
    recent = func.sum(Vote.value)
    votes = func.count()
    top = (
        select(Vote.summary_id, recent.label("recent"), votes.label("votes"))
        .where(Vote.created_at >= since)
        .group_by(Vote.summary_id)
        .order_by(recent.desc(), votes.desc(), Vote.summary_id.desc())
        .limit(window)
        .subquery()
    )
    return (
        public_summaries()
        .join(top, top.c.summary_id == Summary.id)
        .order_by(top.c.recent.desc(), top.c.votes.desc(), Summary.id.desc())
    )
