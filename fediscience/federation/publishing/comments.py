"""Our authors' comments federate: added → Create, edited → Update, deleted → Delete of the reply Note.

A comment goes to the thread: the summary's author (how our users answer a summary held on another instance),
every remote commenter on the summary, and the commenter's followers; an Update or Delete also reaches every inbox
that was sent the comment before.
"""

from __future__ import annotations

from typing import Any

from ...comments.models import Comment
from ..recipients import follower_inboxes
from ..serialize_activities import create_activity, delete_activity, update_activity
from ..urls import comment_url
from .audience import delivered_inboxes, publish, thread_inboxes


def _ours(comment: Comment) -> bool:
    """A comment we publish: written here by a local author."""
    return comment.uri is None and bool(comment.author.local)


def _shown(comment: Comment) -> bool:
    """One of our comments that others may read: not deleted, on a public summary."""
    return _ours(comment) and not comment.is_deleted and comment.summary.is_public


def _audience(comment: Comment, *, before: bool) -> list[str]:
    inboxes = thread_inboxes(comment) + follower_inboxes(comment.author)
    return inboxes + delivered_inboxes(comment_url(comment)) if before else inboxes


def on_comment_added(sender: Any, comment: Comment, **extra: Any) -> None:
    """A new comment: `Create` of its reply Note."""
    if not _shown(comment):
        return
    publish(comment.author, lambda activity_id: create_activity(comment, activity_id), _audience(comment, before=False))


def on_comment_edited(sender: Any, comment: Comment, **extra: Any) -> None:
    """An edited comment: `Update` of its Note (with `updated`, its edit time)."""
    if not _shown(comment):
        return
    publish(comment.author, lambda activity_id: update_activity(comment, activity_id), _audience(comment, before=True))


def on_comment_deleted(sender: Any, comment: Comment, **extra: Any) -> None:
    """A deleted comment: `Delete` of its Note, as a Tombstone."""
    if not _ours(comment):
        return
    note_id = comment_url(comment)

    def build(activity_id: str) -> dict[str, Any]:
        return delete_activity(comment.author, note_id, activity_id, deleted=comment.deleted_at)

    publish(comment.author, build, _audience(comment, before=True))
