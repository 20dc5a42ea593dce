"""Remote comments: a reply Note to one of our summaries or comments, or to a remote copy we hold, as a Comment.

The rows are written directly and no domain signal is sent (a remote comment is never federated again by us),
but the local authors it answers are notified as for a local comment.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from ...activitypub.parse import in_reply_to
from ...comments.models import Comment
from ...db import db, utcnow
from ...notifications.services import notify_comment
from ...summaries.models import Summary
from ...users.models import Actor
from ..tombstones import record_tombstone
from .context import DONE, IGNORED, Rejected, local_comment, local_summary
from .note_text import comment_text, language_of, permalink, published_at, settled_outcome, updated_at
from .notes import remote_summary


@dataclass(frozen=True)
class Parent:
    """What a reply answers: a summary, or one of its comments."""

    summary: Summary
    comment: Comment | None = None


def find_parent(uri: str | None) -> Parent | None:
    """The summary or comment with this id: ours, or a remote copy we hold; None if we know no such object."""
    summary = local_summary(uri) or remote_summary(uri)
    if summary is not None:
        return Parent(summary)
    comment = local_comment(uri) or remote_comment(uri)
    return Parent(comment.summary, comment) if comment is not None else None


def remote_comment(uri: str | None) -> Comment | None:
    """The remote comment stored under this Note id, or None."""
    return db.session.scalar(select(Comment).where(Comment.uri == uri)) if uri else None


def store_comment(note: dict[str, Any], author: Actor, activity: dict[str, Any] | None = None) -> str:
    """Store a reply Note by `author` under its parent (idempotent on its id): DONE, IGNORED, or Rejected.

    Only public (or unlisted) replies are kept: a direct or followers-only reply must not appear on a public
    page. A reply to an unknown object, or to a summary that is not public, is ignored.
    """
    uri = note["id"]
    settled = settled_outcome(note, activity, author, remote_comment(uri), "comment")
    if settled is not None:
        return settled
    parent = find_parent(in_reply_to(note))
    if parent is None or not parent.summary.is_public:
        return IGNORED
    text = comment_text(note)
    comment = Comment(
        summary_id=parent.summary.id, parent_id=parent.comment.id if parent.comment else None, author=author,
        uri=uri, url=permalink(note, uri), language=language_of(note), source=text.source, html=text.html,
        created_at=published_at(note),
    )
    db.session.add(comment)
    db.session.flush()
    notify_comment(comment, parent.summary, parent.comment)
    return DONE


def update_comment(comment: Comment, note: dict[str, Any], author: Actor) -> str:
    """Apply an edit by the comment's author when the Note's `updated` is newer than what we hold."""
    if comment.author_id != author.id:
        raise Rejected("only the author can edit a comment")
    updated = updated_at(note)
    if comment.is_deleted or updated is None or updated <= (comment.edited_at or comment.created_at):
        return IGNORED
    text = comment_text(note)
    comment.source, comment.html, comment.edited_at = text.source, text.html, updated
    comment.language = language_of(note) or comment.language
    db.session.flush()
    return DONE


def delete_comment(comment: Comment, author: Actor) -> str:
    """Remove a remote comment at its author's request; one with replies stays as a placeholder."""
    if comment.author_id != author.id:
        raise Rejected("only the author can delete a comment")
    uri = comment.uri
    has_replies = db.session.scalar(select(Comment.id).where(Comment.parent_id == comment.id).limit(1)) is not None
    if has_replies:
        if not comment.is_deleted:
            comment.source, comment.html, comment.deleted_at = "", "", utcnow()
    else:
        db.session.delete(comment)
    db.session.flush()
    if uri is not None:  # a late or replayed Create of this id must not bring it back
        record_tombstone(uri, "Note")
    return DONE
