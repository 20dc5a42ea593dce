"""Remote summaries: a FediScience summary Note from another instance, kept as a Summary under our paper.

A remote summary is a Summary row whose `uri` is the Note's id and `url` its page, written by the remote Actor.
These functions write the rows directly and send no domain signal: a remote copy is never federated again by
us (its author's instance does that). The inbox (Create / Update / Delete) and the outbox back-fill share them.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from ...db import db
from ...summaries.models import Summary, SummaryRevision
from ...summaries.services import add_revision, refresh_summary_count, summary_by
from ...users.models import Actor
from ..tombstones import record_tombstone
from .context import DONE, IGNORED, Rejected
from .note_text import NoteText, permalink, published_at, settled_outcome, summary_text, updated_at
from .paper_claims import paper_for, paper_node, read_claim


def is_summary_note(note: dict[str, Any]) -> bool:
    """True if the Note carries our `paper` metadata: a summary from another FediScience instance."""
    return paper_node(note) is not None


def remote_summary(uri: str | None) -> Summary | None:
    """The remote summary stored under this Note id, or None."""
    return db.session.scalar(select(Summary).where(Summary.uri == uri)) if uri else None


def store_summary(note: dict[str, Any], author: Actor, activity: dict[str, Any] | None = None) -> str:
    """Store a received summary Note by `author` (idempotent on its id): DONE, IGNORED, or Rejected.

    Only public (or unlisted) Notes are kept, and never one whose id was deleted. The paper is ours with one of
    the claimed identifiers, else a provisional paper made from the claims (a metadata look-up confirms it).

    One summary per author per paper: if the author already has a summary of this paper here under another id,
    their instance (which holds the same rule) has replaced it and we missed the Delete, so a Note published
    later takes over the row (new id, url and text, one more revision; votes and comments stay); an older one
    is Rejected.
    """
    uri = note["id"]
    settled = settled_outcome(note, activity, author, remote_summary(uri), "summary")
    if settled is not None:
        return settled
    node = paper_node(note)
    assert node is not None, "store_summary is called for summary Notes only"
    text = summary_text(note)
    paper = paper_for(read_claim(node))
    if paper is None:
        raise Rejected("the Note's paper has no valid DOI, arXiv id or DBLP key")
    published = published_at(note)
    current = summary_by(author, paper)
    if current is not None:
        return _take_over(current, note, text, published)
    summary = Summary(
        paper=paper, author=author, uri=uri, url=permalink(note, uri), source=text.source, html=text.html,
        is_draft=False, is_private=False, share_token=secrets.token_urlsafe(24), published_at=published,
    )
    db.session.add(summary)
    db.session.flush()
    add_revision(summary, published)
    refresh_summary_count(paper.id)
    return DONE


def _take_over(current: Summary, note: dict[str, Any], text: NoteText, published: datetime) -> str:
    """A newer Note by the same author about the same paper replaces the stored one (see store_summary)."""
    if current.uri is None or (current.published_at is not None and published <= current.published_at):
        raise Rejected(f"we hold a newer summary of this paper by {note.get('attributedTo') or 'this author'}")
    current.uri, current.url = note["id"], permalink(note, note["id"])
    _set_text(current, text, published)
    current.published_at = published
    db.session.flush()
    return DONE


def update_summary(summary: Summary, note: dict[str, Any], author: Actor) -> str:
    """Apply an edit by the summary's author when the Note's `updated` is newer than our latest revision."""
    if summary.author_id != author.id:
        raise Rejected("only the author can edit a summary")
    updated = updated_at(note)
    if updated is None or updated <= last_edited(summary):
        return IGNORED
    _set_text(summary, summary_text(note), updated)
    summary.url = permalink(note, note["id"]) or summary.url
    db.session.flush()
    return DONE


def last_edited(summary: Summary) -> datetime:
    """When the stored text was written: the newest revision's time (votes also touch `updated_at`)."""
    newest = db.session.scalar(
        select(func.max(SummaryRevision.created_at)).where(SummaryRevision.summary_id == summary.id)
    )
    return newest or summary.published_at or summary.created_at


def _set_text(summary: Summary, text: NoteText, when: datetime) -> None:
    summary.source, summary.html, summary.updated_at = text.source, text.html, when
    db.session.flush()
    add_revision(summary, when)


def delete_summary(summary: Summary, author: Actor) -> str:
    """Remove a remote summary at its author's request (votes, comments and revisions go with it)."""
    if summary.author_id != author.id:
        raise Rejected("only the author can delete a summary")
    paper_id, uri = summary.paper_id, summary.uri
    db.session.delete(summary)
    db.session.flush()
    refresh_summary_count(paper_id)
    if uri is not None:  # a late or replayed Create of this id must not bring it back (Mastodon does the same)
        record_tombstone(uri, "Note")
    return DONE
