"""Remote actors: fetched with a signed GET, checked as Mastodon checks them, cached as `Actor` rows (local=False).

`resolve_actor_uri` (an actor id), `resolve_handle` (`@user@host`, `user@host`, `acct:…`, or a profile/actor URL
a user typed), `actor_for_key_id` (the owner of a signature key). Our own URLs and handles resolve to our local actors
without any request. Rows are upserted (insert on conflict on `uri`, then update), so concurrent resolutions of one
actor end with one row.
"""

from __future__ import annotations

import re
from datetime import timedelta
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

from flask import current_app
from sqlalchemy import or_, select, update

from ..activitypub import InvalidKey, ProtocolError, WebFingerError, actor_id_of_key, load_public_key
from ..activitypub.mediatypes import is_activity_media_type
from ..activitypub.parse import IncomingActor, has_as_context, id_of, is_actor, read_actor, type_of
from ..activitypub.structure import is_http_url
from ..activitypub.webfinger import Acct, parse_acct
from ..db import db, insert_ignoring_conflicts, new_public_id, utcnow
from ..text import sanitize_remote_html
from ..users.models import Actor
from .client import ACTIVITY_OR_HTML_ACCEPT, activity_json_of, refuse_blocked, signed_get, signed_get_json
from .fetch_errors import BlockedDomain, FetchError, GoneError, InvalidDocument
from .hosts import host_of

__all__ = [
    "BlockedDomain",
    "FetchError",
    "GoneError",
    "InvalidDocument",
    "actor_for_key_id",
    "resolve_actor_uri",
    "resolve_handle",
    "resolve_url",
    "store_actor",
]

ACTOR_FRESH_FOR = timedelta(days=1)
MAX_BIO_SOURCE = 64 * 1024
_BAD_USERNAME = re.compile(r"[\s@/]")


# Resolving ------------------------------------------------------------------------------------------------


def resolve_actor_uri(uri: str, *, refresh: bool = False) -> Actor:
    """The actor with this id: the cached row unless `refresh` or never fetched, else fetched and upserted."""
    uri = (uri or "").strip()
    if not is_http_url(uri):
        raise InvalidDocument(f"{uri[:100]!r} is not an http(s) actor id")
    if _is_ours(uri):
        return _local_actor(uri)
    actor = db.session.scalar(select(Actor).where(Actor.uri == uri))
    if actor is not None and (actor.local or (not refresh and _is_cached(actor))):
        return actor
    refuse_blocked(uri)
    return store_actor(signed_get_json(uri))


def resolve_handle(handle: str) -> Actor:
    """The actor a handle names (`@user@host`, `user@host`, `acct:user@host`) or a typed profile/actor URL.

    A handle goes through WebFinger to the `self` link, then Mastodon's reverse check: WebFinger for
    `<preferredUsername>@<host of the actor id>` must point back to the same actor id.
    """
    text = (handle or "").strip()
    if text.lower().startswith(("http://", "https://")):
        return resolve_url(text)
    try:
        acct = parse_acct(text)
    except WebFingerError as exc:
        raise InvalidDocument(f"{text[:100]!r} is not a handle like @user@example.org ({exc.reason})") from None
    if acct.host == _our_host():
        return _local_by_username(acct.user)
    # No cache by (username, domain): a row's preferredUsername is only a claim until WebFinger confirms it.
    refuse_blocked(f"https://{acct.host}/")
    from .webfinger_client import webfinger

    jrd = webfinger(acct)
    actor = resolve_actor_uri(jrd.actor_url, refresh=_is_stale(jrd.actor_url))
    _reverse_check(acct, jrd.actor_url, actor)
    return actor


def resolve_url(url: str) -> Actor:
    """The actor behind a URL a user typed: an actor id, or a web page with an ActivityPub alternate link."""
    url = url.strip()
    if not is_http_url(url):
        raise InvalidDocument(f"{url[:100]!r} is not an http(s) URL")
    if _is_ours(url):
        return _local_actor(url)
    cached = db.session.scalar(
        select(Actor).where(~Actor.local, or_(Actor.uri == url, Actor.profile_url == url)).limit(1)
    )
    if cached is not None and _is_fresh(cached):
        return cached
    refuse_blocked(url)
    fetched = signed_get(url, accept=ACTIVITY_OR_HTML_ACCEPT)
    if is_activity_media_type(fetched.content_type):
        return store_actor(activity_json_of(fetched))
    if fetched.content_type.split(";")[0].strip().lower() in ("text/html", "application/xhtml+xml"):
        href = alternate_link(fetched.content.decode("utf-8", "replace"), fetched.url)
        if href is None:
            raise InvalidDocument(f"{url[:200]} is a web page without an ActivityPub link")
        return resolve_actor_uri(href, refresh=True)
    raise InvalidDocument(f"{url[:200]} answered {fetched.content_type[:80] or 'no content type'}, not an account")


def actor_for_key_id(key_id: str, *, refresh: bool = False) -> Actor:
    """The actor owning a signature key: by the cached key id, else by fetching the key's actor (always when
    `refresh`); the fetched actor's publicKey id must be this key id."""
    key_id = (key_id or "").strip()
    if key_id.lower().startswith("acct:"):
        return resolve_handle(key_id)
    if not is_http_url(key_id):
        raise InvalidDocument(f"the key id {key_id[:100]!r} is not an http(s) URL")
    if not refresh:
        actor = db.session.scalar(select(Actor).where(Actor.key_id == key_id))
        if actor is not None:
            return actor
    owner_uri = actor_id_of_key(key_id)
    actor = _local_actor(owner_uri) if _is_ours(owner_uri) else _fetch_key_owner(key_id)
    if actor.key_id != key_id:
        raise InvalidDocument(f"the key {key_id[:200]} is not the key of {actor.uri or owner_uri}")
    return actor


def _fetch_key_owner(key_id: str) -> Actor:
    """Fetch the key's URL (without fragment): an actor, or a key document whose `owner` is fetched in turn."""
    url = actor_id_of_key(key_id)
    refuse_blocked(url)
    doc = signed_get_json(url)
    if is_actor(doc):
        return store_actor(doc)
    owner = id_of(doc.get("owner"))
    if isinstance(doc.get("publicKeyPem"), str) and is_http_url(owner) and _same_host(owner, url):
        return resolve_actor_uri(owner, refresh=True)
    raise InvalidDocument(f"{url[:200]} is neither an actor nor a key with an owner")


def _reverse_check(acct: Acct, linked: str, actor: Actor) -> None:
    """WebFinger `<preferredUsername>@<host of the actor id>` must point back to the actor (skipped when the
    first lookup was already exactly that)."""
    assert actor.uri is not None
    expected = Acct(actor.username, host_of(actor.uri))
    if (acct.user.lower(), acct.host) == (expected.user.lower(), expected.host) and linked == actor.uri:
        return
    from .webfinger_client import webfinger

    back = webfinger(expected)
    if back.actor_url != actor.uri:
        raise InvalidDocument(
            f"{acct} points to {actor.uri[:200]}, but {expected} points to {back.actor_url[:200]}: "
            "the account does not loop back"
        )


# Storing --------------------------------------------------------------------------------------------------


def store_actor(doc: dict[str, Any]) -> Actor:
    """Upsert a fetched actor document (whose id was checked against its URL) as a remote Actor row; flushes."""
    incoming = _read(doc)
    values = _values(incoming)
    if values["key_id"] is not None:
        _release_key_id(values["key_id"], incoming.id)
    db.session.execute(insert_ignoring_conflicts(Actor, conflict_on=["uri"], **_insert_values(values)))
    actor = db.session.scalar(select(Actor).where(Actor.uri == incoming.id))
    assert actor is not None, "the actor was just upserted"
    if actor.local:
        raise InvalidDocument(f"{incoming.id[:200]} is one of our own actors")
    for name, value in values.items():
        setattr(actor, name, value)
    db.session.flush()
    return actor


def _read(doc: dict[str, Any]) -> IncomingActor:
    where = str(doc.get("id"))[:200]
    if not has_as_context(doc):
        raise InvalidDocument(f"{where} has no ActivityStreams @context")
    try:
        incoming = read_actor(doc)
    except ProtocolError as exc:
        kind = type_of(doc) or "document"
        raise InvalidDocument(f"{where} ({kind}) is not a usable account: {exc.reason}") from None
    name = incoming.preferred_username
    if len(name) > 64 or _BAD_USERNAME.search(name):
        raise InvalidDocument(f"{where} has an unusable preferredUsername {name[:80]!r}")
    return incoming


def _values(incoming: IncomingActor) -> dict[str, Any]:
    public_key_pem, key_id = _key_of(incoming)
    return {
        "local": False,
        "uri": incoming.id,
        "username": incoming.preferred_username,
        "domain": host_of(incoming.id)[:255],
        "display_name": (incoming.name or "").strip()[:100],
        "bio": sanitize_remote_html(incoming.summary[:MAX_BIO_SOURCE]) if incoming.summary else "",
        "avatar_url": incoming.icon_url if is_http_url(incoming.icon_url) else None,
        "profile_url": incoming.url if is_http_url(incoming.url) and _same_host(incoming.url, incoming.id) else None,
        "actor_type": incoming.type[:16],
        "manually_approves_followers": incoming.manually_approves_followers,
        "inbox_url": incoming.inbox,
        "shared_inbox_url": incoming.shared_inbox,
        "outbox_url": incoming.outbox,
        "followers_url": incoming.followers,
        "following_url": incoming.following,
        "public_key_pem": public_key_pem,
        "key_id": key_id,
        "fetched_at": utcnow(),
    }


def _key_of(incoming: IncomingActor) -> tuple[str | None, str | None]:
    """The actor's key if usable: a PEM RSA key whose id is on the actor's host and whose owner is the actor."""
    pem, key_id = incoming.public_key_pem, incoming.public_key_id
    if not pem or not key_id or not is_http_url(key_id) or not _same_host(key_id, incoming.id):
        return None, None
    if incoming.public_key_owner not in (None, incoming.id):
        return None, None
    try:
        load_public_key(pem)
    except (InvalidKey, ValueError):
        return None, None
    return pem, key_id


def _insert_values(values: dict[str, Any]) -> dict[str, Any]:
    now = utcnow()
    row = {name: value for name, value in values.items() if name != "key_id"}
    return {**row, "public_id": new_public_id(), "created_at": now, "updated_at": now}


def _release_key_id(key_id: str, uri: str) -> None:
    """A key id moves with its actor (same host): another remote row holding it gives it up."""
    db.session.execute(
        update(Actor)
        .where(Actor.key_id == key_id, ~Actor.local, Actor.uri != uri)
        .values(key_id=None)
        .execution_options(synchronize_session=False)
    )


# Helpers --------------------------------------------------------------------------------------------------


def _is_cached(actor: Actor) -> bool:
    """A usable row: fetched once, or stored with its inbox by another path."""
    return actor.fetched_at is not None or bool(actor.inbox_url)


def _is_fresh(actor: Actor) -> bool:
    return actor.fetched_at is not None and actor.fetched_at > utcnow() - ACTOR_FRESH_FOR


def _is_stale(uri: str) -> bool:
    """True unless a remote row for this id was fetched within ACTOR_FRESH_FOR."""
    actor = db.session.scalar(select(Actor).where(Actor.uri == uri, ~Actor.local))
    return actor is None or not _is_fresh(actor)


def _same_host(first: str, second: str) -> bool:
    return host_of(first) == host_of(second)


def _settings() -> Any:
    return current_app.extensions["fediscience.settings"]


def _our_host() -> str:
    return str(_settings().host).lower()


def _is_ours(url: str) -> bool:
    base = urlsplit(_settings().base_url)
    parts = urlsplit(url)
    return parts.scheme.lower() == base.scheme.lower() and host_of(url) == base.netloc.lower()


def _local_actor(url: str) -> Actor:
    """One of our actors by its URL: /actor (the instance actor) or /u/<public_id>."""
    path = urlsplit(url).path.rstrip("/")
    if path == "/actor":
        from .instance_actor import instance_actor

        return instance_actor()
    match = re.fullmatch(r"/u/([A-Za-z0-9_-]{1,16})", path)
    actor = db.session.scalar(select(Actor).where(Actor.local, Actor.public_id == match.group(1))) if match else None
    if actor is None:
        raise GoneError(f"{url[:200]} is not an account of this instance", url=url, status=404)
    return actor


def _local_by_username(username: str) -> Actor:
    from ..users.services import find_user

    if username.lower() == _our_host():
        from .instance_actor import instance_actor

        return instance_actor()
    user = find_user(username)
    if user is None:
        raise GoneError(f"there is no user {username} on this instance", status=404)
    return user.actor


class _AlternateLinks(HTMLParser):
    """Collects the href of `<link rel="alternate" type="application/activity+json">` (or AS ld+json)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "link":
            return
        found = {name.lower(): value or "" for name, value in attrs}
        if "alternate" in found.get("rel", "").lower().split() and is_activity_media_type(found.get("type")):
            if found.get("href"):
                self.hrefs.append(found["href"].strip())


def alternate_link(html: str, base: str) -> str | None:
    """The absolute URL of a page's first ActivityPub alternate link, or None."""
    parser = _AlternateLinks()
    parser.feed(html)
    parser.close()
    for href in parser.hrefs:
        absolute = urljoin(base, href)
        if is_http_url(absolute):
            return absolute
    return None
