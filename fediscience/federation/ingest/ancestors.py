"""Missing ancestors of a reply: the Notes between a received reply and a thread we hold, fetched up `inReplyTo`.

A Mastodon user may answer a remote comment we never received (its author's server did not deliver it to us). The
walk fetches each unknown parent with a signed GET (the address guard, size cap and deadline of `client.get`; the
document's `id` must be the URL fetched) and stops at the first id we hold: one of our summaries or comments, or a
remote copy. It runs in the inbox job, never in the HTTP request that delivered the reply.

It gives up (so that nothing of the chain is stored) when a fetch fails (404/410, timeout, guard refusal, blocked
domain, oversized or invalid document), when a Note could not be stored as a comment (not a Note, its author on
another host than its id, not public, deleted here, no content), when the chain ends without reaching our objects,
loops, is longer than the `reply_ancestor_depth` setting, or takes longer than WALK_BUDGET.

The walk runs in the worker, between other inbound items, so a slow server must not hold it: the whole walk (each
fetch, redirects and unknown authors included) ends within WALK_BUDGET seconds, and a host that made a walk time
out is not walked to again for STALL_PAUSE seconds (in this process), so a server answering slowly on purpose
stalls inbound processing at most once per pause.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import current_app

from ...activitypub import ProtocolError
from ...activitypub.parse import has_type, in_reply_to, read_object
from ...activitypub.structure import is_http_url
from ...users.models import Actor
from ..client import signed_get_json
from ..fetch_errors import FetchError, FetchTimeout
from ..guard import deadline
from ..hosts import host_of
from ..remote_actors import resolve_actor_uri
from ..tombstones import find_tombstone
from ..urls import base_url
from .context import Rejected, same_origin
from .note_text import comment_text, is_public

WALK_BUDGET = 20.0  # seconds for the whole walk, every fetch included (guard.deadline)
STALL_PAUSE = 600.0  # seconds a host that made a walk time out is not walked to
_STALLED: dict[str, float] = {}  # host → until when it is not walked to


@dataclass(frozen=True)
class Ancestor:
    """A fetched ancestor Note, checked as the store path checks a reply, and its (resolved) remote author."""

    note: dict[str, Any]
    author: Actor


def missing_ancestors(note: dict[str, Any], holds: Callable[[str], bool]) -> list[Ancestor] | None:
    """The ancestors of `note` we lack, top-down, the first replying to an id we hold (`holds`); None when the
    chain cannot be completed ([] when the Note's own parent is held)."""
    with deadline(WALK_BUDGET):
        chain = _walk(note, holds)
        if chain is None:
            return None
        ancestors = []
        for fetched in reversed(chain):
            author = _author(fetched)
            if author is None:
                return None
            ancestors.append(Ancestor(fetched, author))
        return ancestors


def _walk(note: dict[str, Any], holds: Callable[[str], bool]) -> list[dict[str, Any]] | None:
    """The fetched Notes from the reply's parent up to the first one whose parent we hold; None on any failure."""
    limit = current_app.extensions["fediscience.settings"].reply_ancestor_depth
    seen, chain = {note["id"]}, []
    parent = in_reply_to(note)
    while parent is not None and not holds(parent):
        if len(chain) >= limit or parent in seen:
            return None
        seen.add(parent)
        fetched = _fetch_note(parent)
        if fetched is None:
            return None
        chain.append(fetched)
        parent = in_reply_to(fetched)
    if parent is None:  # the chain's top replies to nothing: not a conversation of ours
        return None
    return chain


def _fetch_note(uri: str) -> dict[str, Any] | None:
    """The Note at `uri` if it is one we could store as a comment, else None (never raises for what it got)."""
    if not is_http_url(uri) or same_origin(uri, base_url()) or find_tombstone(uri) is not None:
        return None  # an id of ours we do not hold is not fetched from ourselves; a deleted one stays deleted
    host = host_of(uri)
    if _STALLED.get(host, 0.0) > time.monotonic():
        return None
    try:
        doc = signed_get_json(uri)  # the guard, the size cap, the deadline, and `id` == the URL fetched
        if not has_type(doc, "Note"):
            return None
        obj = read_object(doc)
    except FetchTimeout:
        _pause(host)
        return None
    except (FetchError, ProtocolError):
        return None
    # The ownership rule of a Create (ownership.check_ownership): the author is on the host of the object.
    if obj.attributed_to is None or not is_http_url(obj.attributed_to) or not same_origin(obj.attributed_to, obj.id):
        return None
    if not is_public(doc):
        return None
    try:
        comment_text(doc)  # what storing it would refuse: no content, too large
    except Rejected:
        return None
    return doc


def _pause(host: str) -> None:
    """Stop walking to `host` for STALL_PAUSE seconds (and forget pauses that are over)."""
    now = time.monotonic()
    for over in [name for name, until in _STALLED.items() if until <= now]:
        del _STALLED[over]
    _STALLED[host] = now + STALL_PAUSE


def _author(note: dict[str, Any]) -> Actor | None:
    """The Note's author (fetched if unknown), or None if it cannot be resolved to a remote actor."""
    try:
        author = resolve_actor_uri(read_object(note).attributed_to or "")
    except (FetchError, ProtocolError):
        return None
    return None if author.local else author
