"""Remote comments: a reply Note to one of our summaries or comments, or to a remote copy we hold, as a Comment.

The rows are written directly and no domain signal is sent (a remote comment is never federated again by us),
but the local authors it answers are notified as for a local comment, and other local users it mentions get a
`mention` notification. A reply whose parent we lack first fetches the missing ancestors (ancestors.py): the whole
chain is stored top-down, or nothing of it.
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
from .ancestors import missing_ancestors
from .context import DONE, IGNORED, Rejected, local_comment, local_summary
from .mentions import mentioned_users, notify_mentions
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
    page. A reply whose parent we lack fetches the missing ancestors first; a reply whose chain does not reach a
    thread we hold, or that answers a summary that is not public, is ignored.
    """
    uri = note["id"]
    settled = settled_outcome(note, activity, author, remote_comment(uri), "comment")
    if settled is not None:
        return settled
    parent = find_parent(in_reply_to(note)) or _complete_thread(note)
    if parent is None or not parent.summary.is_public:
        return IGNORED
    _add_comment(note, author, parent)
    return DONE


def _complete_thread(note: dict[str, Any]) -> Parent | None:
    """Fetch and store the reply's missing ancestors (top-down); its parent then, or None if the chain failed."""
    chain = missing_ancestors(note, lambda uri: find_parent(uri) is not None)
    if not chain:
        return None
    top = find_parent(in_reply_to(chain[0].note))
    if top is None or not top.summary.is_public:
        return None
    for ancestor in chain:  # parent first, so each finds its parent; each passed the checks of this path already
        if store_comment(ancestor.note, ancestor.author) != DONE:  # only if a concurrent job deleted it meanwhile
            raise Rejected(f"the ancestor {ancestor.note['id'][:200]} changed while its thread was fetched")
    return find_parent(in_reply_to(note))


def _add_comment(note: dict[str, Any], author: Actor, parent: Parent) -> Comment:
    """Write the comment row and notify: the summary's and parent's authors, then the other local users mentioned."""
    text = comment_text(note)
    comment = Comment(
        summary_id=parent.summary.id, parent_id=parent.comment.id if parent.comment else None, author=author,
        uri=note["id"], url=permalink(note, note["id"]), language=language_of(note), source=text.source,
        html=text.html, created_at=published_at(note),
    )
    db.session.add(comment)
    db.session.flush()
    notify_comment(comment, parent.summary, parent.comment)
    told = {parent.summary.author_id, *([parent.comment.author_id] if parent.comment else [])}
    notify_mentions(note, author, mentioned_users(note), comment=comment, skip=told)
    return comment


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
