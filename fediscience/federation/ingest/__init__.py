"""Processing stored inbox items: the ownership rules, then a small handler per activity type.

`HANDLERS` maps a key to a handler taking an `Ingest` and returning the item's final status ("done" or
"ignored"); raising `Rejected` marks it "rejected". The key is the activity type, or "Type/ObjectType" for
activities about another activity (Undo/Like, Accept/Follow …) and "Delete/Actor" for an account deletion.
Adding a handler is one entry here.
"""

from __future__ import annotations

from collections.abc import Callable

from ...activitypub.parse import read_activity
from ..models import InboxItem
from . import actors, boosts, follows, objects, reports, votes
from .context import DONE, IGNORED, Ingest, Rejected, object_type
from .ownership import check_ownership

Handler = Callable[[Ingest], str]

HANDLERS: dict[str, Handler] = {
    "Follow": follows.on_follow,
    "Undo/Follow": follows.on_undo_follow,
    "Accept/Follow": follows.on_accept_follow,
    "Reject/Follow": follows.on_reject_follow,
    "Like": votes.on_like,
    "Dislike": votes.on_dislike,
    "Undo/Like": votes.on_undo_vote,
    "Undo/Dislike": votes.on_undo_vote,
    "Delete/Actor": actors.on_delete_actor,
    "Create": objects.on_create,
    "Update": objects.on_update,
    "Delete": objects.on_delete,
    "Announce": boosts.on_announce,
    "Undo/Announce": boosts.on_undo_announce,
    "Flag": reports.on_flag,
}

_ABOUT_ACTIVITIES = frozenset({"Undo", "Accept", "Reject"})

__all__ = ["DONE", "HANDLERS", "IGNORED", "Ingest", "Rejected", "dispatch", "handler_key"]


def handler_key(ingest: Ingest) -> str:
    """The HANDLERS key for the activity: its type, refined by its object's type where that decides."""
    activity = ingest.activity
    if activity.type == "Delete" and activity.object_id == activity.actor:
        return "Delete/Actor"
    if activity.type in _ABOUT_ACTIVITIES:
        inner = object_type(ingest)
        if inner is not None:
            return f"{activity.type}/{inner}"
    return activity.type


def dispatch(item: InboxItem) -> str:
    """Check the ownership rules and run the item's handler; its status, or Rejected."""
    ingest = Ingest(item, read_activity(item.payload))
    check_ownership(ingest.activity)
    handler = HANDLERS.get(handler_key(ingest))
    return handler(ingest) if handler is not None else IGNORED
