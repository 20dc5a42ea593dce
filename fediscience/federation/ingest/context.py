"""What every handler gets: the stored item, the parsed activity, its sender, and look-ups of our own objects."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select

from ...activitypub.parse import IncomingActivity, id_of, type_of
from ...activitypub.signatures import host_of
from ...boosts.models import Boost
from ...comments.models import Comment
from ...db import db
from ...summaries.models import Summary
from ...users.models import Actor
from ...votes.models import Vote
from ..models import Follow, InboxItem
from ..urls import base_url

DONE = "done"
IGNORED = "ignored"


class Rejected(Exception):
    """The activity breaks a rule (ownership, a foreign object): the item is marked rejected, nothing changes."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class Ingest:
    """One inbox item being processed: the row, the activity read from it, and (lazily) its sender."""

    item: InboxItem
    activity: IncomingActivity
    _sender: Actor | None = field(default=None, repr=False)

    @property
    def sender(self) -> Actor:
        """The activity's actor (verified by the inbox, so cached: no fetch in the usual case)."""
        if self._sender is None:
            from ..remote_actors import resolve_actor_uri

            self._sender = resolve_actor_uri(self.activity.actor)
        return self._sender

    @property
    def inner(self) -> dict[str, Any] | None:
        """The embedded object when the activity carries one (Undo, Accept, Reject, Create …)."""
        return self.activity.object if isinstance(self.activity.object, dict) else None


def same_origin(first: str, second: str) -> bool:
    """True if both URLs are on the same host (and port)."""
    return host_of(first) == host_of(second)


def _local_path(uri: str | None) -> str | None:
    """The path of one of our URLs (no query or fragment), or None for anything else."""
    if not uri:
        return None
    base = base_url()
    if not same_origin(uri, base) or urlsplit(uri).scheme != urlsplit(base).scheme:
        return None
    parts = urlsplit(uri)
    return None if parts.query or parts.fragment else parts.path.rstrip("/")


def local_actor(uri: str | None) -> Actor | None:
    """Our actor with this id (/u/<public_id>, or /actor for the instance actor), or None."""
    path = _local_path(uri)
    if path == "/actor":
        return db.session.scalar(select(Actor).where(Actor.local, Actor.actor_type == "Application").limit(1))
    if path and path.startswith("/u/") and path.count("/") == 2:
        return db.session.scalar(select(Actor).where(Actor.public_id == path[3:], Actor.local))
    return None


def local_summary(uri: str | None) -> Summary | None:
    """Our (not a remote copy's) summary whose page or current Note has this id (/s/<public_id>[/v/<n>]), or None.

    An earlier Note id (deleted when the summary was made private) names nothing any more.
    """
    parts = (_local_path(uri) or "").split("/")
    if len(parts) not in (3, 5) or parts[:2] != ["", "s"] or (len(parts) == 5 and parts[3] != "v"):
        return None
    summary = db.session.scalar(select(Summary).where(Summary.public_id == parts[2], Summary.uri.is_(None)))
    if summary is None or (len(parts) == 5 and parts[4] != str(summary.note_generation)):
        return None
    return summary


def local_comment(uri: str | None) -> Comment | None:
    """Our (not a remote copy's) comment with this id (/c/<public_id>), or None."""
    path = _local_path(uri)
    if path and path.startswith("/c/") and path.count("/") == 2:
        return db.session.scalar(select(Comment).where(Comment.public_id == path[3:], Comment.uri.is_(None)))
    return None


def lock_summary(summary: Summary) -> None:
    """Hold the summary's row until commit, so that concurrent vote jobs recount its score one after another.

    (PostgreSQL: the recount's subqueries read the statement's snapshot; without the lock two parallel votes
    each count only their own, and the score misses one.)
    """
    db.session.execute(select(Summary.id).where(Summary.id == summary.id).with_for_update())


def object_type(ingest: Ingest) -> str | None:
    """The type of the activity's object: embedded, or recalled from what we received or sent under its id."""
    if ingest.inner is not None:
        return type_of(ingest.inner)
    object_id = ingest.activity.object_id
    if object_id is None:
        return None
    received = db.session.scalar(select(InboxItem.activity_type).where(InboxItem.activity_uri == object_id))
    if received is not None:
        return received
    if db.session.scalar(select(Follow.id).where(Follow.uri == object_id)) is not None:
        return "Follow"
    value = db.session.scalar(select(Vote.value).where(Vote.uri == object_id))
    if value is not None:
        return "Like" if value > 0 else "Dislike"
    return "Announce" if db.session.scalar(select(Boost.id).where(Boost.uri == object_id)) is not None else None


def embedded_object_id(ingest: Ingest) -> str | None:
    """The `object` of the embedded activity (e.g. the summary an undone Like was about)."""
    return id_of(ingest.inner.get("object")) if ingest.inner is not None else None
