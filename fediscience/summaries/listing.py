"""The home page's listings of public summaries: latest, popular (recent votes) and best."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from flask import current_app
from sqlalchemy import Select, func, select

from ..db import db, utcnow
from ..votes.models import Vote
from .models import Summary

Tab = Literal["latest", "popular", "best"]
TABS: tuple[Tab, ...] = ("latest", "popular", "best")
POPULAR_DAYS = 7
RANKING_SECONDS = 60.0  # how long a process reuses the popular ranking (a new vote shows within this)
_RANKING = "fediscience.popular_ranking"


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
        rows = _popular_page(page, per_page)
    else:
        query = {"latest": _latest, "best": _best}[tab]()
        rows = list(db.session.scalars(query.limit(per_page + 1).offset((page - 1) * per_page)))
    return SummaryPage(rows[:per_page], page, len(rows) > per_page)


def _latest() -> Select[tuple[Summary]]:
    return public_summaries().order_by(Summary.published_at.desc(), Summary.id.desc())


def _best() -> Select[tuple[Summary]]:
    return public_summaries().order_by(Summary.score.desc(), Summary.published_at.desc(), Summary.id.desc())


def _popular_page(page: int, per_page: int) -> list[Summary]:
    """One page of the popular tab (and one more row, to tell whether a next page exists)."""
    # over-fetch: a few of the most voted may be private or drafts by now
    ranking = popular_ranking(window=2 * page * per_page + 50)
    public = set(db.session.scalars(
        select(Summary.id).where(Summary.id.in_(ranking), ~Summary.is_draft, ~Summary.is_private)
    ))
    wanted = [summary_id for summary_id in ranking if summary_id in public][(page - 1) * per_page:page * per_page + 1]
    found = {summary.id: summary for summary in db.session.scalars(select(Summary).where(Summary.id.in_(wanted)))}
    return [found[summary_id] for summary_id in wanted if summary_id in found]


@dataclass(frozen=True)
class _Ranking:
    taken_at: float
    window: int
    ids: list[int]


def popular_ranking(window: int) -> list[int]:
    """The ids of the `window` summaries with the most net votes cast in the last days (ShortScience's 'popular').

    Summing a week of votes is the costliest query of the home page, and the ranking moves slowly: each process
    (each app) reuses it for RANKING_SECONDS, so a vote reaches the tab within that time.
    """
    cached = current_app.extensions.get(_RANKING)
    if cached is not None and cached.window >= window and time.monotonic() - cached.taken_at < RANKING_SECONDS:
        return cached.ids[:window]
    ids = list(db.session.scalars(_popular_ids(window)))
    current_app.extensions[_RANKING] = _Ranking(time.monotonic(), window, ids)
    return ids


def _popular_ids(window: int) -> Select[tuple[int]]:
    """The recent votes summed and ranked (an index-only scan of ix_votes_recent), best `window` first."""
    since = utcnow() - timedelta(days=POPULAR_DAYS)
    recent = func.sum(Vote.value)
    return (
        select(Vote.summary_id)
        .where(Vote.created_at >= since)
        .group_by(Vote.summary_id)
        .order_by(recent.desc(), func.count().desc(), Vote.summary_id.desc())
        .limit(window)
    )
