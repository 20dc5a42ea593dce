"""ActivityStreams vocabulary: constants, and the dataclasses of what we send, each with a compact `to_json()`.

The dataclasses are generic: the federation layer decides every value. Field names are snake_case and come out
camelCase (`attributed_to` → `attributedTo`); `context` comes out as `@context`; None is omitted; `extra` is merged
last, for extension properties (`{"fedisci:doi": …}`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any, ClassVar

from .dates import format_datetime

AS_CONTEXT = "https://www.w3.org/ns/activitystreams"
SECURITY_CONTEXT = "https://w3id.org/security/v1"
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
PUBLIC_ALIASES = frozenset({PUBLIC, "as:Public", "Public"})  # all accepted by Mastodon as "public"
# Mastodon's extension terms, for an actor's or a Note's @context.
MASTODON_EXTENSIONS: dict[str, str] = {
    "toot": "http://joinmastodon.org/ns#",
    "schema": "http://schema.org#",
    "manuallyApprovesFollowers": "as:manuallyApprovesFollowers",
    "sensitive": "as:sensitive",
    "Hashtag": "as:Hashtag",
    "discoverable": "toot:discoverable",
    "indexable": "toot:indexable",
    "Emoji": "toot:Emoji",
    "PropertyValue": "schema:PropertyValue",
    "value": "schema:value",
}

ACTOR_TYPES = frozenset({"Application", "Group", "Organization", "Person", "Service"})
ACTIVITY_TYPES = frozenset(
    {"Accept", "Add", "Announce", "Block", "Create", "Delete", "Dislike", "Flag", "Follow", "Like", "Move",
     "Reject", "Remove", "Undo", "Update"}
)
OBJECT_TYPES = frozenset({"Article", "Audio", "Document", "Event", "Image", "Note", "Page", "Question",
                          "Tombstone", "Video"})
COLLECTION_TYPES = frozenset({"Collection", "OrderedCollection", "CollectionPage", "OrderedCollectionPage"})
TAG_TYPES = frozenset({"Mention", "Hashtag", "Emoji"})


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def to_jsonable(value: Any) -> Any:
    """A value as JSON: dataclasses via `to_json`, datetimes as RFC 3339, sets sorted, None dropped from dicts."""
    if isinstance(value, ASType):
        return value.to_json()
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, (list, tuple)):
        return [to_jsonable(item) for item in value]
    if isinstance(value, (set, frozenset)):
        return sorted(to_jsonable(item) for item in value)
    if isinstance(value, dict):
        return {key: to_jsonable(item) for key, item in value.items() if item is not None}
    return value


@dataclass(kw_only=True)
class ASType:
    """Base of every vocabulary dataclass: `type`, `id`, `@context` and `extra`."""

    _SPECIAL: ClassVar[frozenset[str]] = frozenset({"context", "id", "type", "extra"})

    context: Any = None
    id: str | None = None
    type: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The compact JSON-LD dict: @context, id, type first, then set fields, then `extra`."""
        doc: dict[str, Any] = {}
        if self.context is not None:
            doc["@context"] = to_jsonable(self.context)
        for name in ("id", "type"):
            if getattr(self, name) is not None:
                doc[name] = getattr(self, name)
        for item in fields(self):
            value = getattr(self, item.name)
            if item.name not in self._SPECIAL and value is not None:
                doc[item.metadata.get("json", _camel(item.name))] = to_jsonable(value)
        doc.update(to_jsonable(self.extra))
        return doc


# Small parts -------------------------------------------------------------------------------------------------


@dataclass(kw_only=True)
class PublicKey(ASType):
    """An actor's `publicKey`: `{id: <actor>#main-key, owner: <actor>, publicKeyPem}`."""

    owner: str
    public_key_pem: str


@dataclass(kw_only=True)
class Endpoints(ASType):
    """An actor's `endpoints` (its `sharedInbox`)."""

    shared_inbox: str | None = None


@dataclass(kw_only=True)
class Source(ASType):
    """An object's `source`: the text it was rendered from, e.g. Markdown."""

    content: str
    media_type: str = "text/markdown"


@dataclass(kw_only=True)
class Link(ASType):
    """A Link (also the base of Mention and Hashtag tags)."""

    type: str | None = "Link"
    href: str | None = None
    name: str | None = None
    media_type: str | None = None
    rel: str | list[str] | None = None


@dataclass(kw_only=True)
class Mention(Link):
    """A `Mention` tag: `{type: Mention, href: <actor id>, name: "@user@host"}`."""

    type: str | None = "Mention"


@dataclass(kw_only=True)
class Hashtag(Link):
    """A `Hashtag` tag: `{type: Hashtag, href: <tag page>, name: "#name"}`."""

    type: str | None = "Hashtag"


@dataclass(kw_only=True)
class PropertyValue(ASType):
    """A profile field, as Mastodon shows it: `{type: PropertyValue, name, value (HTML)}`."""

    type: str | None = "PropertyValue"
    name: str
    value: str


# Objects -----------------------------------------------------------------------------------------------------


@dataclass(kw_only=True)
class APObject(ASType):
    """An ActivityStreams Object with the properties we use; every one optional."""

    type: str | None = "Object"
    name: str | None = None
    summary: str | None = None
    content: str | None = None
    content_map: dict[str, str] | None = None
    media_type: str | None = None
    source: Source | dict[str, Any] | None = None
    url: str | Link | list[Any] | None = None
    attributed_to: str | list[Any] | None = None
    audience: str | list[str] | None = None
    to: list[str] | None = None
    cc: list[str] | None = None
    published: datetime | str | None = None
    updated: datetime | str | None = None
    in_reply_to: str | None = None
    sensitive: bool | None = None
    tag: list[Any] | None = None
    attachment: list[Any] | None = None
    icon: Any = None
    image: Any = None
    replies: Any = None
    likes: Any = None
    shares: Any = None


@dataclass(kw_only=True)
class Image(APObject):
    """An `Image` (avatar, header, or attachment): `url`, `mediaType`, `name` as alt text."""

    type: str | None = "Image"
    width: int | None = None
    height: int | None = None
    blurhash: str | None = None


@dataclass(kw_only=True)
class Document(Image):
    """A `Document` attachment (Mastodon's shape for media of unknown kind)."""

    type: str | None = "Document"


@dataclass(kw_only=True)
class Note(APObject):
    """A `Note`: how summaries and comments go out (Mastodon shows a Note's full `content`)."""

    type: str | None = "Note"


@dataclass(kw_only=True)
class Article(APObject):
    """An `Article` (Mastodon 4.2–4.4 shows only its title and link; we send Notes)."""

    type: str | None = "Article"


@dataclass(kw_only=True)
class Tombstone(APObject):
    """What a deleted object answers (with 410), and the object of a `Delete`."""

    type: str | None = "Tombstone"
    former_type: str | None = None
    deleted: datetime | str | None = None


# Actors ------------------------------------------------------------------------------------------------------


@dataclass(kw_only=True)
class Actor(APObject):
    """An actor: `preferredUsername`, `inbox`, `outbox`, collections, `endpoints`, `publicKey` and profile flags."""

    type: str | None = "Person"
    preferred_username: str | None = None
    inbox: str | None = None
    outbox: str | None = None
    followers: str | None = None
    following: str | None = None
    featured: str | None = None
    endpoints: Endpoints | dict[str, Any] | None = None
    public_key: PublicKey | None = None
    manually_approves_followers: bool | None = None
    discoverable: bool | None = None
    indexable: bool | None = None
    also_known_as: list[str] | None = None
    webfinger: str | None = None  # FEP-2c59: "user@host"


@dataclass(kw_only=True)
class Person(Actor):
    """A `Person` actor (a user)."""

    type: str | None = "Person"


@dataclass(kw_only=True)
class Group(Actor):
    """A `Group` actor (a paper or a venue, FEP-1b12 style)."""

    type: str | None = "Group"


@dataclass(kw_only=True)
class Application(Actor):
    """An `Application` actor (the instance actor that signs outbound GETs)."""

    type: str | None = "Application"


@dataclass(kw_only=True)
class Service(Actor):
    """A `Service` actor (shown as automated by Mastodon)."""

    type: str | None = "Service"


# Activities --------------------------------------------------------------------------------------------------


@dataclass(kw_only=True)
class Activity(APObject):
    """An Activity: `actor`, `object` (an id or an embedded object), `target`, plus the Object properties."""

    type: str | None = "Activity"
    actor: str | None = None
    object: Any = None
    target: Any = None
    origin: Any = None
    result: Any = None
    instrument: Any = None


@dataclass(kw_only=True)
class Create(Activity):
    """A `Create`: a new object (a summary or comment as a Note)."""

    type: str | None = "Create"


@dataclass(kw_only=True)
class Update(Activity):
    """An `Update`: an edited object (with a newer `updated`) or actor profile."""

    type: str | None = "Update"


@dataclass(kw_only=True)
class Delete(Activity):
    """A `Delete`: an object (as a Tombstone) or an actor is gone."""

    type: str | None = "Delete"


@dataclass(kw_only=True)
class Follow(Activity):
    """A `Follow`: `actor` asks to follow `object`."""

    type: str | None = "Follow"


@dataclass(kw_only=True)
class Accept(Activity):
    """An `Accept`: embeds the accepted Follow (same id)."""

    type: str | None = "Accept"


@dataclass(kw_only=True)
class Reject(Activity):
    """A `Reject`: embeds the rejected Follow."""

    type: str | None = "Reject"


@dataclass(kw_only=True)
class Undo(Activity):
    """An `Undo`: embeds the undone activity (Follow, Like, Dislike, Announce)."""

    type: str | None = "Undo"


@dataclass(kw_only=True)
class Like(Activity):
    """A `Like`: a +1 vote."""

    type: str | None = "Like"


@dataclass(kw_only=True)
class Dislike(Activity):
    """A `Dislike`: a −1 vote."""

    type: str | None = "Dislike"


@dataclass(kw_only=True)
class Announce(Activity):
    """An `Announce`: a boost, or a Group redistributing an object."""

    type: str | None = "Announce"


@dataclass(kw_only=True)
class Flag(Activity):
    """A `Flag`: a report; `object` lists the reported ids, `content` the comment."""

    type: str | None = "Flag"


# Collections -------------------------------------------------------------------------------------------------


@dataclass(kw_only=True)
class Collection(APObject):
    """A `Collection` with `totalItems` and `first`/`last` pages or inline `items`."""

    type: str | None = "Collection"
    total_items: int | None = None
    first: Any = None
    last: Any = None
    current: Any = None
    items: list[Any] | None = None


@dataclass(kw_only=True)
class OrderedCollection(Collection):
    """An `OrderedCollection` (outbox, followers, following, replies): items in `orderedItems`."""

    type: str | None = "OrderedCollection"
    ordered_items: list[Any] | None = None


@dataclass(kw_only=True)
class CollectionPage(Collection):
    """A `CollectionPage`: `partOf`, `next`, `prev`, `items`."""

    type: str | None = "CollectionPage"
    part_of: str | None = None
    next: str | None = None
    prev: str | None = None


@dataclass(kw_only=True)
class OrderedCollectionPage(CollectionPage):
    """An `OrderedCollectionPage`: `partOf`, `next`, `prev`, `orderedItems`, `startIndex`."""

    type: str | None = "OrderedCollectionPage"
    ordered_items: list[Any] | None = None
    start_index: int | None = None
