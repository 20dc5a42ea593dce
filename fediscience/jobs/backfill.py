"""Back-fill after a follow: the followed account's latest public summaries, read from its outbox.

Mastodon does not back-fill (interop reference §6), but someone who follows a FediScience author on another
instance expects to see their summaries at once. One signed GET of the outbox (and of its first page when it is
not embedded), at most MAX_ITEMS items, each checked by the inbox's ownership rules and stored through the
inbox's own path (`ingest.notes.store_summary`), each in its own transaction. Best effort: nothing is
retried, a bad item is skipped.
"""

from __future__ import annotations

import logging
from typing import Any

from ..activitypub import ProtocolError
from ..activitypub.parse import attributed_to, has_type, in_reply_to, read_activity, read_object
from ..db import db
from ..federation.client import signed_get_json
from ..federation.fetch_errors import FetchError
from ..federation.ingest.context import DONE, Rejected, same_origin
from ..federation.ingest.notes import is_summary_note, store_summary
from ..federation.ingest.ownership import check_ownership
from ..users.models import Actor

log = logging.getLogger(__name__)

MAX_ITEMS = 20


def backfill_outbox(actor_id: int) -> None:
    """Store the public summary Notes among the first MAX_ITEMS items of a remote actor's outbox."""
    actor = db.session.get(Actor, actor_id)
    if actor is None or actor.local or not actor.uri or not actor.outbox_url:
        return
    try:
        items = first_items(actor.outbox_url, actor.uri)
    except (FetchError, ProtocolError) as exc:
        log.info("no back-fill from %s: %s", actor.outbox_url, exc)
        return
    stored = sum(_store_item(actor, item) for item in items[:MAX_ITEMS])
    log.info("back-filled %d summaries of %s", stored, actor.uri)


def first_items(outbox_url: str, owner: str) -> list[Any]:
    """The items of an outbox's first page: `orderedItems` / `items` of the collection, else of its `first`."""
    if not same_origin(outbox_url, owner):
        return []
    collection = signed_get_json(outbox_url)
    items = _items_of(collection)
    if items is not None:
        return items
    first = collection.get("first")
    if isinstance(first, dict) and _items_of(first) is not None:
        return _items_of(first) or []
    page_url = first.get("id") if isinstance(first, dict) else first
    if not isinstance(page_url, str) or not same_origin(page_url, owner):
        return []
    return _items_of(signed_get_json(page_url)) or []


def _items_of(doc: Any) -> list[Any] | None:
    if not isinstance(doc, dict):
        return None
    for key in ("orderedItems", "items"):
        value = doc.get(key)
        if isinstance(value, list):
            return value
        if isinstance(value, (dict, str)):
            return [value]
    return None


def _store_item(actor: Actor, item: Any) -> bool:
    """Store one outbox item (in its own transaction) if it is a public Create of a summary by the actor."""
    try:
        activity = _dereference(item, actor)
        note = _summary_note(activity, actor) if activity is not None else None
        stored = note is not None and store_summary(note, actor, activity) == DONE
    except (Rejected, ProtocolError, FetchError) as exc:
        db.session.rollback()  # what this item began, nothing else
        log.info("back-fill skipped an item of %s: %s", actor.uri, exc)
        return False
    db.session.commit()
    return stored


def _dereference(value: Any, actor: Actor) -> dict[str, Any] | None:
    """An embedded document, or the one its id names on the actor's host (fetched)."""
    if isinstance(value, dict):
        return value
    if isinstance(value, str) and actor.uri and same_origin(value, actor.uri):
        return signed_get_json(value)
    return None


def _summary_note(doc: dict[str, Any], actor: Actor) -> dict[str, Any] | None:
    """The summary Note of a `Create` by the actor (ownership rules as in the inbox), or None."""
    activity = read_activity(doc)
    if activity.type != "Create" or activity.actor != actor.uri:
        return None
    check_ownership(activity)
    note = _dereference(activity.object, actor)
    if note is None or not has_type(note, "Note") or note.get("id") != activity.object_id:
        return None
    read_object(note)
    if attributed_to(note) not in (None, actor.uri) or in_reply_to(note) is not None or not is_summary_note(note):
        return None
    return note
