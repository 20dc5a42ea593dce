"""Our authors' summaries federate: published → Create, edited → Update, withdrawn or deleted → Delete.

Papers have no actor rows yet (nobody can follow a paper's Group), so a summary goes to its author's followers;
its Update and Delete also reach every inbox that was sent it before.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from ...db import db
from ...summaries.models import Summary
from ...users.models import Actor
from ..models import Activity
from ..recipients import follower_inboxes
from ..serialize_activities import create_activity, delete_activity, update_activity
from ..serialize_objects import summary_edited_at
from ..urls import summary_note_id
from .audience import delivered_inboxes, publish


def _ours(summary: Summary) -> bool:
    """A summary we publish: written here (not a remote copy) by a local author."""
    return summary.uri is None and bool(summary.author.local)


def on_summary_published(sender: Any, summary: Summary, **extra: Any) -> None:
    """A summary became public: `Create` of its Note for the author's followers."""
    if not (_ours(summary) and summary.is_public):
        return
    publish(summary.author, lambda activity_id: create_activity(summary, activity_id), follower_inboxes(summary.author))


def on_summary_updated(sender: Any, summary: Summary, **extra: Any) -> None:
    """A public summary was saved: `Update` of its Note, if its text changed since we last sent it."""
    if not (_ours(summary) and summary.is_public and _edited_since_sent(summary)):
        return
    inboxes = follower_inboxes(summary.author) + delivered_inboxes(summary_note_id(summary))
    publish(summary.author, lambda activity_id: update_activity(summary, activity_id), inboxes)


def on_summary_withdrawn(sender: Any, summary: Summary, deleted: bool = False, **extra: Any) -> None:
    """A public summary was made private or deleted: `Delete` of its Note (a Tombstone) wherever it went.

    A summary made private gets a new Note id for its next publication: the servers that received the Delete keep
    a tombstone of the old id, and Mastodon refuses a Create of a tombstoned id.
    """
    author = db.session.get(Actor, summary.author_id)  # the summary row may already be deleted
    if summary.uri is not None or author is None or not author.local or (summary.is_public and not deleted):
        return
    note_id = summary_note_id(summary)
    inboxes = follower_inboxes(author) + delivered_inboxes(note_id)
    publish(author, lambda activity_id: delete_activity(author, note_id, activity_id), inboxes)
    if not deleted:
        summary.note_generation += 1
        db.session.flush()


def _edited_since_sent(summary: Summary) -> bool:
    """True if the text was edited after publication and after the last Create or Update we sent of it.

    Saving without a change also signals `summary_updated`; an Update then would only repeat the last one.
    """
    edited = summary_edited_at(summary)
    if edited is None:
        return False
    last_sent = db.session.scalar(
        select(func.max(Activity.created_at)).where(
            Activity.object_uri == summary_note_id(summary), Activity.activity_type.in_(("Create", "Update"))
        )
    )
    return last_sent is None or edited > last_sent
