"""Tolerant readers for received ActivityStreams JSON: string / object / list forms, addressing, tags, dates."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .dates import parse_datetime
from .errors import ActivityError
from .structure import check_structure, is_http_url, require_http_id
from .vocab import ACTIVITY_TYPES, ACTOR_TYPES, AS_CONTEXT, PUBLIC, PUBLIC_ALIASES

MAX_TYPE_LENGTH = 64
ADDRESS_FIELDS = ("to", "cc", "bto", "bcc", "audience")


def first(value: Any) -> Any:
    """The first item of a list (None if empty), or the value itself."""
    if isinstance(value, list):
        return value[0] if value else None
    return value


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def id_of(value: Any) -> str | None:
    """The id of a string, an object with `id` (or a Link's `href`), or the first such item of a list."""
    for item in _as_list(value):
        found = _single_id(item)
        if found is not None:
            return found
    return None


def ids_of(value: Any) -> list[str]:
    """Every id in a string / object / list value, in order, without duplicates."""
    seen: dict[str, None] = {}
    for item in _as_list(value):
        found = _single_id(item)
        if found is not None:
            seen.setdefault(found, None)
    return list(seen)


def _single_id(item: Any) -> str | None:
    if isinstance(item, str):
        return item or None
    if isinstance(item, dict):
        for key in ("id", "href"):
            value = item.get(key)
            if isinstance(value, str) and value:
                return value
    return None


def types_of(obj: Any) -> tuple[str, ...]:
    """The `type` of an object as a tuple (a string or a list of strings); empty for anything else."""
    if not isinstance(obj, dict):
        return ()
    return tuple(name for name in _as_list(obj.get("type")) if isinstance(name, str) and name)


def type_of(obj: Any) -> str | None:
    """The object's first type, or None."""
    names = types_of(obj)
    return names[0] if names else None


def has_type(obj: Any, *names: str) -> bool:
    """True if the object's type (or one of its types) is among `names`."""
    return bool(set(types_of(obj)) & set(names))


def text_of(obj: Any, name: str, languages: Iterable[str] = ()) -> str | None:
    """A natural-language property: `name` if a string, else `<name>Map` (preferred languages first, then any)."""
    if not isinstance(obj, dict):
        return None
    plain = obj.get(name)
    if isinstance(plain, str):
        return plain
    values = obj.get(f"{name}Map")
    if not isinstance(values, dict):
        return None
    for language in [*languages, *values]:
        text = values.get(language)
        if isinstance(text, str):
            return text
    return None


def content_of(obj: Any, languages: Iterable[str] = ()) -> str | None:
    """The object's HTML `content`, or a value of its `contentMap`."""
    return text_of(obj, "content", languages)


def normalize_address(address: str) -> str:
    """The Public collection's aliases (`as:Public`, `Public`) collapsed to its full URI."""
    return PUBLIC if address in PUBLIC_ALIASES else address


@dataclass(frozen=True)
class Addressing:
    """to / cc / bto / bcc / audience as sets of ids, the Public aliases collapsed to PUBLIC."""

    to: frozenset[str] = frozenset()
    cc: frozenset[str] = frozenset()
    bto: frozenset[str] = frozenset()
    bcc: frozenset[str] = frozenset()
    audience: frozenset[str] = frozenset()

    @property
    def recipients(self) -> frozenset[str]:
        """Every addressed id (all five fields)."""
        return self.to | self.cc | self.bto | self.bcc | self.audience

    @property
    def is_public(self) -> bool:
        """True if Public is in `to` or `cc` (public or unlisted)."""
        return PUBLIC in self.to or PUBLIC in self.cc

    def visibility(self, followers: str | None = None) -> str:
        """Mastodon's reading: "public" (Public in to), "unlisted" (in cc), "followers", or "direct"."""
        if PUBLIC in self.to:
            return "public"
        if PUBLIC in self.cc:
            return "unlisted"
        if followers is not None and followers in self.to | self.cc:
            return "followers"
        return "direct"


def addressing_of(obj: Any) -> Addressing:
    """The object's addressing, each field normalised to a set."""
    if not isinstance(obj, dict):
        return Addressing()
    sets = {name: frozenset(normalize_address(i) for i in ids_of(obj.get(name))) for name in ADDRESS_FIELDS}
    return Addressing(**sets)


def attributed_to_ids(obj: Any) -> list[str]:
    """Every id in `attributedTo` (a string, an object or a list)."""
    return ids_of(obj.get("attributedTo")) if isinstance(obj, dict) else []


def attributed_to(obj: Any) -> str | None:
    """The author: the first `attributedTo` entry that is not a Group (PeerTube lists the channel too)."""
    if not isinstance(obj, dict):
        return None
    entries = _as_list(obj.get("attributedTo"))
    people = [item for item in entries if not (isinstance(item, dict) and has_type(item, "Group"))]
    return id_of(people) or id_of(entries)


@dataclass(frozen=True)
class Tag:
    """One entry of `tag`: a Mention (href = actor id), a Hashtag (name without `#`) or an Emoji (icon URL)."""

    type: str
    name: str | None
    href: str | None
    icon_url: str | None = None


def tags_of(obj: Any) -> list[Tag]:
    """The object's tags of any type, ill-formed entries skipped."""
    if not isinstance(obj, dict):
        return []
    tags = []
    for item in _as_list(obj.get("tag")):
        kind = type_of(item)
        if kind is None:
            continue
        name = item.get("name") if isinstance(item.get("name"), str) else None
        if kind == "Hashtag" and name is not None:
            name = name.lstrip("#")
        href = item.get("href") if isinstance(item.get("href"), str) else id_of(item)
        tags.append(Tag(type=kind, name=name, href=href, icon_url=url_of(item.get("icon"))))
    return tags


def mentions_of(obj: Any) -> list[str]:
    """The actor ids the object mentions (`Mention` tags' `href`)."""
    return [tag.href for tag in tags_of(obj) if tag.type == "Mention" and tag.href]


def hashtags_of(obj: Any) -> list[str]:
    """The object's hashtag names, without `#`."""
    return [tag.name for tag in tags_of(obj) if tag.type == "Hashtag" and tag.name]


def in_reply_to(obj: Any) -> str | None:
    """The id the object replies to (`inReplyTo` as a string, object or list), or None."""
    return id_of(obj.get("inReplyTo")) if isinstance(obj, dict) else None


def url_of(value: Any) -> str | None:
    """A URL from a string, a Link/Image object (`href` or `url`), or a list (a text/html Link preferred)."""
    items = _as_list(value)
    html = [item for item in items if isinstance(item, dict) and item.get("mediaType") == "text/html"]
    for item in html + items:
        if isinstance(item, str) and item:
            return item
        if isinstance(item, dict):
            found = item.get("href") if isinstance(item.get("href"), str) else url_of(item.get("url"))
            if found:
                return found
    return None


def published_of(obj: Any) -> datetime | None:
    """`published` as an aware UTC datetime, or None if absent or unreadable."""
    return parse_datetime(obj.get("published")) if isinstance(obj, dict) else None


def updated_of(obj: Any) -> datetime | None:
    """`updated` as an aware UTC datetime, or None if absent or unreadable."""
    return parse_datetime(obj.get("updated")) if isinstance(obj, dict) else None


def has_as_context(doc: Any) -> bool:
    """True if `@context` is, or lists, the ActivityStreams context URL (what Mastodon requires)."""
    context = doc.get("@context") if isinstance(doc, dict) else None
    return AS_CONTEXT in _as_list(context)


# Validated readers ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IncomingActivity:
    """A received activity that passed the structural checks; `object` is the raw value (id or dict)."""

    id: str
    type: str
    types: tuple[str, ...]
    actor: str
    object: Any
    object_id: str | None
    target_id: str | None
    addressing: Addressing
    published: datetime | None
    raw: dict[str, Any]


@dataclass(frozen=True)
class IncomingObject:
    """A received object (Note, Article, Tombstone, actor …) that has an http(s) id and a type."""

    id: str
    type: str
    types: tuple[str, ...]
    attributed_to: str | None
    content: str | None
    name: str | None
    summary: str | None
    media_type: str | None
    source_content: str | None
    source_media_type: str | None
    in_reply_to: str | None
    url: str | None
    published: datetime | None
    updated: datetime | None
    sensitive: bool
    addressing: Addressing
    tags: tuple[Tag, ...]
    raw: dict[str, Any]


def _require_type(obj: dict[str, Any], what: str) -> tuple[str, ...]:
    names = types_of(obj)
    if not names:
        raise ActivityError(f"{what} has no type", code="missing_type")
    if any(len(name) > MAX_TYPE_LENGTH for name in names):
        raise ActivityError(f"{what} type is too long", code="bad_type")
    return names


def _require_dict(doc: Any, what: str) -> dict[str, Any]:
    if not isinstance(doc, dict):
        raise ActivityError(f"{what} is not a JSON object", code="not_an_object")
    return doc


def read_activity(doc: Any) -> IncomingActivity:
    """Check a received activity's structure and read it; ActivityError with a reason if it is invalid."""
    doc = _require_dict(doc, "activity")
    check_structure(doc)
    activity_id = require_http_id(doc.get("id"), "activity id")
    types = _require_type(doc, "activity")
    actor = require_http_id(id_of(doc.get("actor")), "actor")
    obj = doc.get("object")
    if obj is None and set(types) & ACTIVITY_TYPES:
        raise ActivityError(f"{types[0]} has no object", code="missing_object")
    object_id = id_of(obj)
    if obj is not None and object_id is not None and not is_http_url(object_id):
        raise ActivityError(f"object id is not an http(s) URL: {object_id[:100]!r}", code="bad_object_id")
    return IncomingActivity(
        id=activity_id,
        type=types[0],
        types=types,
        actor=actor,
        object=obj,
        object_id=object_id,
        target_id=id_of(doc.get("target")),
        addressing=addressing_of(doc),
        published=published_of(doc),
        raw=doc,
    )


def read_object(doc: Any) -> IncomingObject:
    """Check a received object's structure (http(s) id, a type) and read its common properties."""
    doc = _require_dict(doc, "object")
    check_structure(doc)
    object_id = require_http_id(doc.get("id"), "object id")
    types = _require_type(doc, "object")
    source = doc.get("source") if isinstance(doc.get("source"), dict) else {}
    return IncomingObject(
        id=object_id,
        type=types[0],
        types=types,
        attributed_to=attributed_to(doc),
        content=content_of(doc),
        name=text_of(doc, "name"),
        summary=text_of(doc, "summary"),
        media_type=doc.get("mediaType") if isinstance(doc.get("mediaType"), str) else None,
        source_content=source.get("content") if isinstance(source.get("content"), str) else None,
        source_media_type=source.get("mediaType") if isinstance(source.get("mediaType"), str) else None,
        in_reply_to=in_reply_to(doc),
        url=url_of(doc.get("url")),
        published=published_of(doc),
        updated=updated_of(doc),
        sensitive=doc.get("sensitive") is True,
        addressing=addressing_of(doc),
        tags=tuple(tags_of(doc)),
        raw=doc,
    )


def is_actor(doc: Any) -> bool:
    """True if the document's type is an actor type Mastodon accepts (Person, Group, Service …)."""
    return bool(set(types_of(doc)) & ACTOR_TYPES)


@dataclass(frozen=True)
class IncomingActor:
    """A fetched actor document with what federation needs: endpoints, collections, key, profile."""

    id: str
    type: str
    preferred_username: str
    inbox: str
    shared_inbox: str | None
    outbox: str | None
    followers: str | None
    following: str | None
    name: str | None
    summary: str | None
    url: str | None
    icon_url: str | None
    manually_approves_followers: bool
    public_key_id: str | None
    public_key_owner: str | None
    public_key_pem: str | None
    published: datetime | None
    raw: dict[str, Any]


def _http_or_none(value: Any) -> str | None:
    found = id_of(value)
    return found if is_http_url(found) else None


def read_actor(doc: Any) -> IncomingActor:
    """Check a fetched actor as Mastodon does (http(s) id, actor type, preferredUsername, inbox) and read it."""
    doc = _require_dict(doc, "actor")
    check_structure(doc)
    actor_id = require_http_id(doc.get("id"), "actor id")
    types = _require_type(doc, "actor")
    if not set(types) & ACTOR_TYPES:
        raise ActivityError(f"{types[0]} is not an actor type", code="not_an_actor")
    username = doc.get("preferredUsername")
    if not isinstance(username, str) or not username.strip():
        raise ActivityError("actor has no preferredUsername", code="missing_preferred_username")
    endpoints = doc.get("endpoints") if isinstance(doc.get("endpoints"), dict) else {}
    key = first(doc.get("publicKey"))
    key = key if isinstance(key, dict) else {}
    return IncomingActor(
        id=actor_id,
        type=next(name for name in types if name in ACTOR_TYPES),
        preferred_username=username.strip(),
        inbox=require_http_id(id_of(doc.get("inbox")), "inbox"),
        shared_inbox=_http_or_none(endpoints.get("sharedInbox")) or _http_or_none(doc.get("sharedInbox")),
        outbox=_http_or_none(doc.get("outbox")),
        followers=_http_or_none(doc.get("followers")),
        following=_http_or_none(doc.get("following")),
        name=text_of(doc, "name"),
        summary=text_of(doc, "summary"),
        url=url_of(doc.get("url")),
        icon_url=url_of(doc.get("icon")),
        manually_approves_followers=doc.get("manuallyApprovesFollowers") is True,
        public_key_id=key.get("id") if isinstance(key.get("id"), str) else None,
        public_key_owner=id_of(key.get("owner")),
        public_key_pem=key.get("publicKeyPem") if isinstance(key.get("publicKeyPem"), str) else None,
        published=published_of(doc),
        raw=doc,
    )
