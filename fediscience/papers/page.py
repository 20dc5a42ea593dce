"""What a paper page shows: its public summaries ranked by score, with votes and comment threads."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from ..comments.services import ThreadNode, build_threads, comments_of, visible_count
from ..db import db
from ..summaries.models import Summary
from ..users.models import Actor
from ..votes.services import votes_by
from .models import Paper


@dataclass
class SummaryView:
    """A summary with what the viewer sees around it."""

    summary: Summary
    threads: list[ThreadNode]
    comment_count: int
    my_vote: int


def ranked_summaries(paper: Paper, viewer: Actor | None) -> list[SummaryView]:
    """The paper's public summaries (and the viewer's own), best score first, with threads — in three queries."""
    visible = ~Summary.is_draft & ~Summary.is_private
    if viewer is not None:
        visible = visible | (Summary.author_id == viewer.id)
    query = select(Summary).where(Summary.paper_id == paper.id, visible)
    summaries = list(db.session.scalars(query.order_by(Summary.score.desc(), Summary.published_at.asc())))
    return summary_views(summaries, viewer)


def summary_views(summaries: list[Summary], viewer: Actor | None) -> list[SummaryView]:
    """Attach comment threads and the viewer's votes to summaries (two queries whatever their number)."""
    ids = [summary.id for summary in summaries]
    comments = comments_of(ids)
    my_votes = votes_by(viewer, ids)
    views = []
    for summary in summaries:
        threads = build_threads(comments.get(summary.id, []))
        views.append(SummaryView(summary, threads, visible_count(threads), my_votes.get(summary.id, 0)))
    return views
