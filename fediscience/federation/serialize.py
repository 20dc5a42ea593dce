"""What we serve and send to the fediverse, in one place: the public API of the serialisers.

Documents come back as JSON-ready dicts. Top-level documents carry their `@context`; pass `context=False` to embed
an object in an activity. Actors need a key pair first (`keys.ensure_keys(actor)`; the paper Group uses the
instance actor's). Only local, public objects are serialised: callers check `summary.is_public` and `uri is None`.
"""

from __future__ import annotations

from .collections import (
    PAGE_SIZE,
    REPLIES_PAGE_SIZE,
    BadPage,
    followers_collection,
    following_collection,
    like_id,
    likes_collection,
    page_number,
    replies_collection,
    shares_collection,
)
from .context import actor_context, context_document, object_context
from .outboxes import actor_outbox, announce_id, instance_outbox, paper_outbox
from .serialize_activities import actor_update_activity, create_activity, delete_activity, note_of, update_activity
from .serialize_actors import (
    MissingKey,
    actor_document,
    application,
    instance_username,
    local_host,
    paper_group,
    paper_username,
    person,
)
from .serialize_objects import (
    comment_note,
    hashtags,
    image_attachments,
    paper_citation,
    paper_identifiers,
    paper_node,
    summary_note,
    tombstone,
)

__all__ = [
    "PAGE_SIZE",
    "REPLIES_PAGE_SIZE",
    "BadPage",
    "MissingKey",
    "actor_context",
    "actor_document",
    "actor_outbox",
    "actor_update_activity",
    "announce_id",
    "application",
    "comment_note",
    "context_document",
    "create_activity",
    "delete_activity",
    "followers_collection",
    "following_collection",
    "hashtags",
    "image_attachments",
    "instance_outbox",
    "instance_username",
    "like_id",
    "likes_collection",
    "local_host",
    "note_of",
    "object_context",
    "page_number",
    "paper_citation",
    "paper_group",
    "paper_identifiers",
    "paper_node",
    "paper_outbox",
    "paper_username",
    "person",
    "replies_collection",
    "shares_collection",
    "summary_note",
    "tombstone",
    "update_activity",
]
