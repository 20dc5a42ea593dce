"""Stand-ins for federation modules other engineers write at the same time (client, remote_actors, outbox,
delivery), installed only while the real module is missing. Each does the least the inbox needs."""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types
from typing import Any
from urllib.parse import urlsplit

_PACKAGE = "fediscience.federation"


def install() -> list[str]:
    """Install a stand-in for each missing module; returns the names installed."""
    installed = []
    for name, build in (("client", _client), ("remote_actors", _remote_actors), ("outbox", _outbox),
                        ("delivery", _delivery)):
        full = f"{_PACKAGE}.{name}"
        if full in sys.modules or importlib.util.find_spec(full) is not None:
            continue
        module = types.ModuleType(full, "test stand-in")
        build(module)
        sys.modules[full] = module
        setattr(importlib.import_module(_PACKAGE), name, module)
        installed.append(name)
    return installed


def _client(module: types.ModuleType) -> None:
    class FetchError(Exception):
        """A remote fetch failed."""

    class GoneError(FetchError):
        """The remote answered 404 or 410."""

    module.FetchError, module.GoneError = FetchError, GoneError


def _remote_actors(module: types.ModuleType) -> None:
    def resolve_actor_uri(uri: str, *, refresh: bool = False) -> Any:
        from sqlalchemy import select

        from fediscience.db import db
        from fediscience.users.models import Actor

        actor = db.session.scalar(select(Actor).where(Actor.uri == uri))
        if actor is not None and not refresh:
            return actor
        return _fetch(uri, actor)

    def actor_for_key_id(key_id: str, *, refresh: bool = False) -> Any:
        from sqlalchemy import select

        from fediscience.db import db
        from fediscience.users.models import Actor

        actor = db.session.scalar(select(Actor).where(Actor.key_id == key_id))
        if actor is not None and not refresh:
            return actor
        return resolve_actor_uri(key_id.split("#")[0], refresh=True)

    module.resolve_actor_uri, module.actor_for_key_id = resolve_actor_uri, actor_for_key_id


def _fetch(uri: str, actor: Any) -> Any:
    import httpx

    from fediscience.activitypub.parse import read_actor
    from fediscience.db import db, utcnow
    from fediscience.users.models import Actor

    client = sys.modules[f"{_PACKAGE}.client"]
    try:
        response = httpx.get(uri, headers={"Accept": "application/activity+json"}, timeout=5)
    except httpx.HTTPError as exc:
        raise client.FetchError(str(exc)) from None
    if response.status_code in (404, 410):
        raise client.GoneError(f"{uri} is gone")
    if response.status_code != 200:
        raise client.FetchError(f"{uri} answered {response.status_code}")
    doc = read_actor(response.json())
    if actor is None:
        actor = Actor(local=False, uri=doc.id, username=doc.preferred_username, domain=urlsplit(doc.id).netloc)
        db.session.add(actor)
    actor.inbox_url, actor.shared_inbox_url = doc.inbox, doc.shared_inbox
    actor.public_key_pem, actor.key_id, actor.fetched_at = doc.public_key_pem, doc.public_key_id, utcnow()
    db.session.flush()
    return actor


def _outbox(module: types.ModuleType) -> None:
    def send_activity(actor: Any, payload: dict[str, Any], inboxes: list[str]) -> Any:
        from fediscience.activitypub.parse import id_of
        from fediscience.db import db
        from fediscience.federation.models import Activity, Delivery

        activity = Activity(
            uri=payload["id"], actor_id=actor.id, activity_type=payload["type"],
            object_uri=id_of(payload.get("object")), payload=payload,
        )
        db.session.add(activity)
        db.session.flush()
        for inbox in dict.fromkeys(inboxes):
            db.session.add(Delivery(activity_id=activity.id, inbox_url=inbox, host=urlsplit(inbox).netloc))
        db.session.flush()
        return activity

    module.send_activity = send_activity


def _delivery(module: types.ModuleType) -> None:
    def host_seen_alive(host: str) -> None:
        from fediscience.db import db
        from fediscience.federation.models import RemoteHost

        row = db.session.get(RemoteHost, host)
        if row is not None:
            row.failure_days, row.consecutive_failures, row.unavailable, row.breaker_until = [], 0, False, None

    module.host_seen_alive = host_seen_alive
