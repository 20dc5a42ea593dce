"""Objects: Create / Update / Delete of Notes (remote summaries in notes.py, comments in replies.py, mentions of our
users elsewhere in mentions.py), and Update of the sender's own actor (Announce is in boosts.py, Flag in reports.py).

The ownership rules (`ownership.check_ownership`) already ran before any of these is called: a Create of an
object on another host than its actor, or an Update / Delete by someone other than the object's owner (by its
`attributedTo`), never reaches a handler. The handlers still check that a stored object's author is the sender.
"""

from __future__ import annotations

from typing import Any

from ...activitypub.parse import has_type, in_reply_to, is_actor, read_object
from ...notifications.services import revise_mentions, withdraw_mentions
from ...users.models import Actor
from ..fetch_errors import InvalidDocument
from ..remote_actors import resolve_actor_uri, store_actor
from .context import DONE, IGNORED, Ingest, Rejected
from .mentions import on_mention, remote_post
from .notes import delete_summary, is_summary_note, remote_summary, store_summary, update_summary
from .replies import delete_comment, remote_comment, store_comment, update_comment


def on_create(ingest: Ingest) -> str:
    """Create{Note}: a reply to what we hold (or can complete, ancestors.py) becomes a comment, a FediScience
    summary a remote summary; any other Note that mentions local users notifies them (mentions.py)."""
    note = _embedded_note(ingest)
    if note is None:
        return IGNORED
    author = _remote_sender(ingest)
    if in_reply_to(note) is not None:
        stored = store_comment(note, author, ingest.activity.raw)
        if stored != IGNORED:
            return stored
    elif is_summary_note(note):
        return store_summary(note, author, ingest.activity.raw)
    return on_mention(note, author, ingest.activity.raw)


def on_update(ingest: Ingest) -> str:
    """Update{Note}: an edit (with a newer `updated`) of a remote summary or comment; Update{actor}: a refresh."""
    if ingest.activity.object_id == ingest.activity.actor:
        return _refresh_sender(ingest)
    note = _embedded_note(ingest)
    if note is None:
        return IGNORED
    summary = remote_summary(note["id"])
    if summary is not None:
        return update_summary(summary, note, ingest.sender)
    comment = remote_comment(note["id"])
    if comment is not None:
        return update_comment(comment, note, ingest.sender)
    return DONE if revise_mentions(ingest.sender, remote_post(note)) else IGNORED


def on_delete(ingest: Ingest) -> str:
    """Delete{Note|Tombstone|id}: remove the remote summary or comment with that id, if the sender wrote it, and the
    notifications of the mentions in it."""
    object_id = ingest.activity.object_id
    withdrawn = withdraw_mentions(ingest.sender, object_id) if object_id else 0
    summary = remote_summary(object_id)
    if summary is not None:
        return delete_summary(summary, ingest.sender)
    comment = remote_comment(object_id)
    if comment is not None:
        return delete_comment(comment, ingest.sender)
    return DONE if withdrawn else IGNORED


def _embedded_note(ingest: Ingest) -> dict[str, Any] | None:
    """The activity's embedded Note, structurally checked (ProtocolError if broken); None for anything else."""
    inner = ingest.inner
    if inner is None or not has_type(inner, "Note"):
        return None
    read_object(inner)
    return inner


def _remote_sender(ingest: Ingest) -> Actor:
    sender = ingest.sender
    if sender.local:
        raise Rejected("an object from a remote inbox cannot come from a local actor")
    return sender


def _refresh_sender(ingest: Ingest) -> str:
    """The sender's own profile changed: store the embedded actor, or refetch it when only its id came."""
    inner = ingest.inner
    if inner is None:
        resolve_actor_uri(ingest.activity.actor, refresh=True)
        return DONE
    if not is_actor(inner):
        return IGNORED
    doc = inner if "@context" in inner else {"@context": ingest.activity.raw.get("@context"), **inner}
    try:
        store_actor(doc)
    except InvalidDocument as exc:
        raise Rejected(f"the updated actor is not usable: {exc.message}") from None
    return DONE
