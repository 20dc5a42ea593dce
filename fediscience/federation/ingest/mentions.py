"""Mentions of our users in received Notes: a `mention` notification per mentioned local user.

As in Mastodon, notifications follow mentions (a `Mention` tag whose href is one of our actors, or one of our
actors in to / cc), not replies. Every visibility counts, direct messages included: the Note itself is never stored
or shown publicly here, only the notification, which the notifications page shows to its recipient alone (the
author, an excerpt of the sanitised text, a link to the original). A Note notifies each user once (by recipient and
the Note's id), however often it is delivered; its author's Update revises the excerpt, its Delete removes them.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from flask import current_app

from ...activitypub.parse import addressing_of, content_of, mentions_of
from ...comments.models import Comment
from ...notifications.services import RemotePost, notify_mention
from ...text import plain_text, sanitize_remote_html
from ...users.models import Actor
from ..tombstones import find_tombstone
from .context import DONE, IGNORED, local_actor
from .note_text import permalink

EXCERPT_LENGTH = 300


def on_mention(note: dict[str, Any], author: Actor, activity: dict[str, Any] | None = None) -> str:
    """A Note outside our threads: notify the local users it mentions (DONE), or IGNORED if it mentions none."""
    if find_tombstone(note["id"]) is not None:
        return IGNORED
    recipients = mentioned_users(note, activity)
    if not recipients:
        return IGNORED
    notify_mentions(note, author, recipients)
    return DONE


def mentioned_users(note: dict[str, Any], activity: dict[str, Any] | None = None) -> list[Actor]:
    """Our users the Note mentions: its Mention tags' hrefs, then its (and its activity's) to / cc, deduplicated."""
    addressed: list[str] = []
    for source in (note, activity):
        addressing = addressing_of(source)
        addressed += sorted(addressing.to | addressing.cc)
    found: dict[int, Actor] = {}
    for uri in dict.fromkeys([*mentions_of(note), *addressed]):
        actor = local_actor(uri)
        if actor is not None and actor.user is not None:
            found.setdefault(actor.id, actor)
    return list(found.values())


def notify_mentions(
    note: dict[str, Any], author: Actor, recipients: list[Actor], *,
    comment: Comment | None = None, skip: Collection[int] = (),
) -> None:
    """Tell each recipient (but those in `skip`, already told otherwise) that `author` mentioned them in `note`."""
    post = remote_post(note)
    for recipient in recipients:
        if recipient.id not in skip:
            notify_mention(recipient, author, post,
                           summary=comment.summary if comment is not None else None, comment=comment)


def remote_post(note: dict[str, Any]) -> RemotePost:
    """What a mention notification keeps of a Note: its id, its page (else its id) and an excerpt."""
    return RemotePost(note["id"], permalink(note, note["id"]) or note["id"], excerpt(note))


def excerpt(note: dict[str, Any], length: int = EXCERPT_LENGTH) -> str:
    """The plain text of the Note's sanitised content, whitespace collapsed, cut to `length` characters."""
    content = content_of(note) or ""
    limit = current_app.extensions["fediscience.settings"].max_summary_bytes
    text = " ".join(plain_text(sanitize_remote_html(content[:limit])).split())
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"
