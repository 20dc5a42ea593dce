"""Writing, editing, publishing and reading summaries."""

from __future__ import annotations

import secrets
from datetime import datetime

from flask import current_app
from sqlalchemy import func, select, update

from ..db import db, utcnow
from ..errors import Conflict, Forbidden, Invalid, NotFound
from ..papers.models import Paper
from ..signals import summary_published, summary_updated, summary_withdrawn
from ..text import render_markdown
from ..users.models import Actor
from .models import Summary, SummaryRevision


def render_summary_source(source: str) -> str:
    """Check a summary's Markdown source and render it to safe HTML with MathML."""
    settings = current_app.extensions["fediscience.settings"]
    if not source.strip():
        raise Invalid("A summary cannot be empty.", field="source")
    size = len(source.encode("utf-8"))
    if size > settings.max_summary_bytes:
        raise Invalid(
            f"This summary is {size // 1000} KB; the limit is {settings.max_summary_bytes // 1000} KB.",
            field="source",
        )
    return render_markdown(source, allow_images=True, paper_link_prefix=settings.base_url + "/papers")


def create_summary(author: Actor, paper: Paper, source: str, *, draft: bool, private: bool) -> Summary:
    """Write a summary (one per author per paper), keeping its first revision."""
    html = render_summary_source(source)
    if summary_by(author, paper) is not None:
        raise Conflict("You have already summarised this paper; edit your summary instead.")
    summary = Summary(
        paper=paper, author=author, source=source, html=html, is_draft=draft, is_private=private,
        share_token=secrets.token_urlsafe(24),
    )
    db.session.add(summary)
    db.session.flush()
    add_revision(summary)
    if summary.is_public:
        summary.published_at = utcnow()
        db.session.flush()
        refresh_summary_count(paper.id)
        summary_published.send(summary=summary)
    return summary


def edit_summary(summary: Summary, editor: Actor, source: str, *, draft: bool, private: bool) -> Summary:
    """Change a summary's text or visibility; every text change keeps a revision."""
    _check_owner(summary, editor)
    html = render_summary_source(source)
    was_public = summary.is_public
    if source != summary.source:
        summary.source, summary.html = source, html
        summary.updated_at = utcnow()
        add_revision(summary)
    summary.is_draft, summary.is_private = draft, private
    db.session.flush()
    if was_public != summary.is_public:
        refresh_summary_count(summary.paper_id)
    _announce_change(summary, was_public)
    return summary


def delete_summary(summary: Summary, actor: Actor) -> None:
    """Delete a summary with its revisions, votes and comments."""
    _check_owner(summary, actor)
    was_public, paper_id = summary.is_public, summary.paper_id
    db.session.delete(summary)
    db.session.flush()
    refresh_summary_count(paper_id)
    if was_public:
        summary_withdrawn.send(summary=summary, deleted=True)


def refresh_summary_count(paper_id: int) -> None:
    """Recompute a paper's count of public summaries in one UPDATE (listings sort and show it)."""
    public = ~Summary.is_draft & ~Summary.is_private
    count = select(func.count(Summary.id)).where(Summary.paper_id == paper_id, public).scalar_subquery()
    db.session.execute(update(Paper).where(Paper.id == paper_id).values(summary_count=count))


def summary_by(author: Actor, paper: Paper) -> Summary | None:
    """The author's summary of the paper, if any."""
    return db.session.scalar(select(Summary).where(Summary.author_id == author.id, Summary.paper_id == paper.id))


def get_visible_summary(public_id: str, viewer: Actor | None, share_token: str | None = None) -> Summary:
    """The summary if the viewer may read it (public, own, or holding the share link); NotFound otherwise."""
    summary = db.session.scalar(select(Summary).where(Summary.public_id == public_id))
    if summary is None or not can_read(summary, viewer, share_token):
        raise NotFound("There is no such summary, or it is private.")
    return summary


def can_read(summary: Summary, viewer: Actor | None, share_token: str | None = None) -> bool:
    """Public summaries are readable by all; others by the author, and private ones by share-link holders."""
    if summary.is_public or (viewer is not None and viewer.id == summary.author_id):
        return True
    return (
        not summary.is_draft
        and share_token is not None
        and secrets.compare_digest(share_token.encode(), summary.share_token.encode())
    )


def revisions(summary: Summary) -> list[SummaryRevision]:
    """The summary's revisions, newest first."""
    query = select(SummaryRevision).where(SummaryRevision.summary_id == summary.id)
    return list(db.session.scalars(query.order_by(SummaryRevision.number.desc())))


def get_revision(summary: Summary, number: int) -> SummaryRevision:
    """One revision of a summary; NotFound otherwise."""
    if not 0 < number < 2**31:
        raise NotFound("There is no such revision.")
    revision = db.session.scalar(
        select(SummaryRevision).where(SummaryRevision.summary_id == summary.id, SummaryRevision.number == number)
    )
    if revision is None:
        raise NotFound("There is no such revision.")
    return revision


def add_revision(summary: Summary, created_at: datetime | None = None) -> None:
    """Keep the summary's current text as its next revision (at `created_at`, else now)."""
    last = db.session.scalar(
        select(func.max(SummaryRevision.number)).where(SummaryRevision.summary_id == summary.id)
    )
    db.session.add(
        SummaryRevision(
            summary_id=summary.id, number=(last or 0) + 1, source=summary.source, html=summary.html,
            created_at=created_at or utcnow(),
        )
    )
    db.session.flush()


def _check_owner(summary: Summary, actor: Actor) -> None:
    if summary.author_id != actor.id:
        raise Forbidden("Only the author can change this summary.")


def _announce_change(summary: Summary, was_public: bool) -> None:
    if summary.is_public and not was_public:
        summary.published_at = summary.published_at or utcnow()
        db.session.flush()
        summary_published.send(summary=summary)
    elif was_public and not summary.is_public:
        summary_withdrawn.send(summary=summary, deleted=False)
    elif summary.is_public:
        summary_updated.send(summary=summary)
