"""Sending an activity: its row and one delivery row per distinct inbox, in the caller's transaction.

The rows are the ledger; the delivery jobs (one per activity, or per chunk of inboxes, never one per delivery)
are enqueued only once the transaction commits, so a rollback leaves neither rows nor jobs.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from flask import current_app

from ..activitypub.parse import id_of
from ..db import db, new_public_id, utcnow
from ..jobs.queue import enqueue_after_commit
from ..users.models import Actor
from . import urls
from .delivery_keys import ensure_actor_keys, rotation_settles_at
from .delivery_sql import insert_deliveries
from .hosts import blocked_hosts, netloc_host
from .models import Activity, RetiredKey

log = logging.getLogger(__name__)
_MAX_URL = 2048


def send_activity(
    actor: Actor, payload: dict[str, Any], inboxes: Iterable[str], *, signing_key: RetiredKey | None = None
) -> Activity:
    """Record the activity and its deliveries (distinct remote inboxes, blocked hosts skipped); send after commit.

    `signing_key` signs a key rotation's Update with the retired key. Any other activity of an actor whose key was
    just rotated waits until the rotation settles (setting `key_rotation_settle`); the sweeper sends it then.
    """
    ensure_actor_keys(actor)
    activity = _activity_row(actor, payload, signing_key)
    targets = deliverable(inboxes)
    if not targets:
        return activity
    now = utcnow()
    settles = None if signing_key is not None else rotation_settles_at(actor)
    ids = insert_deliveries(activity.id, targets, now, not_before=settles)
    if settles is None:
        size = current_app.extensions["fediscience.settings"].delivery_batch_size
        from ..jobs.deliver import deliver_activity

        for start in range(0, len(ids), size):
            enqueue_after_commit(deliver_activity, activity.id, ids[start:start + size])
    return activity


def _activity_row(actor: Actor, payload: dict[str, Any], signing_key: RetiredKey | None) -> Activity:
    public_id = new_public_id()
    if not payload.get("id"):
        payload = {**payload, "id": urls.activity_url(public_id)}
    activity = Activity(
        public_id=public_id,
        uri=payload["id"],
        actor_id=actor.id,
        activity_type=str(payload.get("type") or "")[:32],
        object_uri=id_of(payload.get("object")),
        payload=payload,
        signing_key_id=signing_key.id if signing_key is not None else None,
    )
    db.session.add(activity)
    db.session.flush()
    return activity


def deliverable(inboxes: Iterable[str]) -> list[tuple[str, str]]:
    """The distinct http(s) inboxes, in order, that are neither ours nor on a blocked host, with their hosts."""
    own = {urlsplit(urls.base_url()).netloc.lower(), current_app.extensions["fediscience.settings"].host.lower()}
    distinct = []
    for url in dict.fromkeys(inboxes):
        parts = urlsplit(url) if isinstance(url, str) else None
        if parts is None or parts.scheme not in ("http", "https") or not parts.hostname or len(url) > _MAX_URL:
            log.warning("not delivering to %r: not an http(s) URL", url)
            continue
        host = netloc_host(parts.netloc)  # hosts.host_of, without parsing the URL again
        if host not in own:
            distinct.append((url, host))
    blocked = blocked_hosts({host for _, host in distinct})
    return [(url, host) for url, host in distinct if host not in blocked]
