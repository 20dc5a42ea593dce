"""Outboxes: a user's public summaries as `Create` activities, a paper's as `Announce`s, the instance's (empty).

Outbox pages embed each Note unless it is larger than MAX_EMBEDDED_BYTES (then only its id), so that a page stays
well under the 1 MB Mastodon (and our own fetcher) accepts.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from ..activitypub import PUBLIC, vocab
from ..db import db
from ..papers.models import Paper
from ..summaries.models import Summary, SummaryRevision
from ..users.models import Actor
from .collections import collection, empty_collection
from .models import Activity
from .serialize_activities import create_activity
from .serialize_objects import summary_note
from .urls import instance_actor_url, outbox_url, paper_url, summary_note_id

MAX_EMBEDDED_BYTES = 40_000
PUBLIC_SUMMARY = ~Summary.is_draft & ~Summary.is_private


def _edited_times(summaries: list[Summary]) -> dict[int, datetime]:
    """The newest revision after the first of each summary, in one query."""
    if not summaries:
        return {}
    query = (
        select(SummaryRevision.summary_id, func.max(SummaryRevision.created_at))
        .where(SummaryRevision.summary_id.in_([s.id for s in summaries]), SummaryRevision.number > 1)
        .group_by(SummaryRevision.summary_id)
    )
    return {summary_id: when for summary_id, when in db.session.execute(query)}


def _create_ids(object_ids: list[str]) -> dict[str, str]:
    """The ids of the Creates we sent for these objects (the newest for each), in one query."""
    if not object_ids:
        return {}
    query = (
        select(Activity.object_uri, Activity.uri)
        .where(Activity.activity_type == "Create", Activity.object_uri.in_(object_ids))
        .order_by(Activity.created_at, Activity.id)
    )
    return {object_uri: uri for object_uri, uri in db.session.execute(query)}


def _embeddable(note: dict[str, Any]) -> dict[str, Any] | str:
    size = len(json.dumps(note, ensure_ascii=False).encode("utf-8"))
    return note if size <= MAX_EMBEDDED_BYTES else note["id"]


def create_items(summaries: list[Summary]) -> list[dict[str, Any]]:
    """`Create` activities for summaries (ids of the Creates we sent, else `<summary>#create`)."""
    edited = _edited_times(summaries)
    sent = _create_ids([summary_note_id(s) for s in summaries])
    items = []
    for summary in summaries:
        published = summary.published_at
        edit = edited.get(summary.id)
        note = summary_note(summary, edited_at=edit if edit and published and edit > published else None, context=False)
        activity = create_activity(summary, sent.get(note["id"], f"{note['id']}#create"), note=note)
        activity.pop("@context", None)
        activity["object"] = _embeddable(note)
        items.append(activity)
    return items


def actor_outbox(actor: Actor, page: int | None = None) -> dict[str, Any] | None:
    """A local user's outbox: Creates of their public summaries, newest first."""
    conditions = (Summary.author_id == actor.id, Summary.uri.is_(None), PUBLIC_SUMMARY)
    total = db.session.scalar(select(func.count(Summary.id)).where(*conditions)) or 0

    def fetch(offset: int, limit: int) -> list[dict[str, Any]]:
        query = select(Summary).where(*conditions).order_by(Summary.published_at.desc(), Summary.id.desc())
        return create_items(list(db.session.scalars(query.offset(offset).limit(limit))))

    return collection(outbox_url(actor), total, page, fetch)


def announce_id(paper: Paper, summary: Summary) -> str:
    """The id of a paper Group's Announce of a summary: `<paper>#announces/<summary public id>`."""
    return f"{paper_url(paper)}#announces/{summary.public_id}"


def paper_outbox(paper: Paper, page: int | None = None) -> dict[str, Any] | None:
    """A paper Group's outbox: Announces of the public summaries filed under it (local and remote), newest first."""
    conditions = (Summary.paper_id == paper.id, PUBLIC_SUMMARY)
    total = db.session.scalar(select(func.count(Summary.id)).where(*conditions)) or 0
    group = paper_url(paper)

    def fetch(offset: int, limit: int) -> list[dict[str, Any]]:
        query = select(Summary).where(*conditions).order_by(Summary.published_at.desc(), Summary.id.desc())
        return [
            vocab.Announce(
                id=announce_id(paper, summary), actor=group, object=summary_note_id(summary),
                published=summary.published_at or summary.created_at, to=[PUBLIC], cc=[f"{group}/followers"],
            ).to_json()
            for summary in db.session.scalars(query.offset(offset).limit(limit))
        ]

    return collection(f"{group}/outbox", total, page, fetch)


def instance_outbox(page: int | None = None) -> dict[str, Any] | None:
    """The instance actor's outbox: it publishes nothing."""
    return empty_collection(f"{instance_actor_url()}/outbox", page)

