"""Everything a user wrote, as one JSON document: profile, summaries with revisions, comments and votes.

Only the user's own content is included. Comments and votes name the summary they belong to by its URL,
never by its text, so another user's summary that became private or a draft leaks nothing.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import aliased

from ..comments.models import Comment
from ..db import db, utcnow
from ..papers.models import Paper
from ..summaries.models import Summary, SummaryRevision
from ..users.models import User
from ..votes.models import Vote
from .summaries_csv import own_summaries, paper_key, visibility

FORMAT = "fediscience-archive"
VERSION = 1


def json_archive(user: User) -> dict[str, Any]:
    """The user's archive as a JSON-ready dict."""
    base = current_app.extensions["fediscience.settings"].base_url
    return {
        "format": FORMAT,
        "version": VERSION,
        "instance": base,
        "exported_at": _iso(utcnow()),
        "profile": _profile(user, base),
        "summaries": _summaries(user, base),
        "comments": _comments(user, base),
        "votes": _votes(user, base),
    }


def _profile(user: User, base: str) -> dict[str, Any]:
    actor = user.actor
    return {
        "id": actor.public_id,
        "url": f"{base}/u/{actor.public_id}",
        "username": actor.username,
        "display_name": actor.display_name,
        "bio": actor.bio,
        "email": user.email,
        "orcid": user.orcid,
        "website": user.website,
        "avatar_url": actor.avatar_url,
        "created_at": _iso(user.created_at),
    }


def _summaries(user: User, base: str) -> list[dict[str, Any]]:
    summaries = own_summaries(user.actor)
    revisions = _revisions_of([summary.id for summary in summaries])
    return [
        {
            "id": summary.public_id,
            "url": f"{base}/s/{summary.public_id}",
            "paper": _paper(summary.paper, base),
            "source": summary.source,
            "visibility": visibility(summary),
            "score": summary.score,
            "upvotes": summary.upvotes,
            "downvotes": summary.downvotes,
            "created_at": _iso(summary.created_at),
            "updated_at": _iso(summary.updated_at),
            "published_at": _iso(summary.published_at),
            "revisions": revisions.get(summary.id, []),
        }
        for summary in summaries
    ]


def _paper(paper: Paper, base: str) -> dict[str, Any]:
    return {
        "id": paper.public_id,
        "url": f"{base}/p/{paper.public_id}",
        "key": paper_key(paper),
        "title": paper.title,
        "authors": paper.author_names,
        "venue": paper.venue,
        "year": paper.year,
        "published_on": _iso(paper.published_on),
        "arxiv_id": paper.arxiv_id,
        "doi": paper.doi,
        "dblp_key": paper.dblp_key,
        "landing_url": paper.landing_url,
    }


def _revisions_of(summary_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    query = (
        select(SummaryRevision)
        .where(SummaryRevision.summary_id.in_(summary_ids))
        .order_by(SummaryRevision.summary_id, SummaryRevision.number)
    )
    found: dict[int, list[dict[str, Any]]] = {}
    for revision in db.session.scalars(query):
        found.setdefault(revision.summary_id, []).append(
            {"number": revision.number, "source": revision.source, "created_at": _iso(revision.created_at)}
        )
    return found


def _comments(user: User, base: str) -> list[dict[str, Any]]:
    parent = aliased(Comment)
    query = (
        select(Comment, Summary.public_id, parent.public_id)
        .join(Summary, Summary.id == Comment.summary_id)
        .outerjoin(parent, parent.id == Comment.parent_id)
        .where(Comment.author_id == user.actor_id, Comment.deleted_at.is_(None))
        .order_by(Comment.created_at, Comment.id)
    )
    return [
        {
            "id": comment.public_id,
            "url": f"{base}/c/{comment.public_id}",
            "summary_url": f"{base}/s/{summary_id}",
            "parent_id": parent_id,
            "source": comment.source,
            "created_at": _iso(comment.created_at),
            "edited_at": _iso(comment.edited_at),
        }
        for comment, summary_id, parent_id in db.session.execute(query)
    ]


def _votes(user: User, base: str) -> list[dict[str, Any]]:
    query = (
        select(Vote, Summary.public_id)
        .join(Summary, Summary.id == Vote.summary_id)
        .where(Vote.actor_id == user.actor_id)
        .order_by(Vote.created_at, Vote.id)
    )
    return [
        {"summary_url": f"{base}/s/{summary_id}", "value": vote.value, "created_at": _iso(vote.created_at)}
        for vote, summary_id in db.session.execute(query)
    ]


def _iso(moment: datetime | date | None) -> str | None:
    return moment.isoformat() if moment is not None else None
