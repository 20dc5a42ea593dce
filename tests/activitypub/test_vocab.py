"""The vocabulary dataclasses produce compact AS2 JSON-LD."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from fediscience.activitypub import vocab
from fediscience.activitypub.vocab import (
    AS_CONTEXT,
    PUBLIC,
    SECURITY_CONTEXT,
    Accept,
    Announce,
    Create,
    Delete,
    Dislike,
    Endpoints,
    Flag,
    Follow,
    Group,
    Hashtag,
    Image,
    Like,
    Mention,
    Note,
    OrderedCollection,
    OrderedCollectionPage,
    Person,
    PropertyValue,
    PublicKey,
    Reject,
    Source,
    Tombstone,
    Undo,
    Update,
)

A = "https://our.example/u/alice"
WHEN = datetime(2025, 6, 1, 12, 0, 0, 123456, tzinfo=timezone.utc)


def test_constants() -> None:
    assert AS_CONTEXT == "https://www.w3.org/ns/activitystreams"
    assert SECURITY_CONTEXT == "https://w3id.org/security/v1"
    assert PUBLIC == "https://www.w3.org/ns/activitystreams#Public"
    assert vocab.PUBLIC_ALIASES == {PUBLIC, "as:Public", "Public"}
    assert {"Person", "Group", "Application", "Service"} <= vocab.ACTOR_TYPES


def test_person_document() -> None:
    doc = Person(
        context=[AS_CONTEXT, SECURITY_CONTEXT, vocab.MASTODON_EXTENSIONS],
        id=A, preferred_username="alice", name="Alice", inbox=A + "/inbox", outbox=A + "/outbox",
        followers=A + "/followers", following=A + "/following", url="https://our.example/@alice",
        endpoints=Endpoints(shared_inbox="https://our.example/inbox"),
        public_key=PublicKey(id=A + "#main-key", owner=A, public_key_pem="-----BEGIN PUBLIC KEY-----\n"),
        manually_approves_followers=False, discoverable=True,
        icon=Image(url="https://our.example/a.png", media_type="image/png"),
        attachment=[PropertyValue(name="ORCID", value='<a href="https://orcid.org/0">0</a>')],
        published=WHEN,
    ).to_json()
    assert list(doc)[:3] == ["@context", "id", "type"]
    assert doc["type"] == "Person"
    assert doc["preferredUsername"] == "alice"
    assert doc["endpoints"] == {"sharedInbox": "https://our.example/inbox"}
    assert doc["publicKey"] == {"id": A + "#main-key", "owner": A, "publicKeyPem": "-----BEGIN PUBLIC KEY-----\n"}
    assert doc["manuallyApprovesFollowers"] is False
    assert doc["icon"] == {"type": "Image", "url": "https://our.example/a.png", "mediaType": "image/png"}
    assert doc["attachment"][0]["type"] == "PropertyValue"
    assert doc["published"] == "2025-06-01T12:00:00Z"
    assert "summary" not in doc and "featured" not in doc
    json.dumps(doc)


def test_create_note_nests_and_omits_none() -> None:
    note = Note(
        id="https://our.example/s/1", attributed_to=A, content="<p>Hi</p>", name="Title",
        source=Source(content="Hi"), to=[PUBLIC], cc=[A + "/followers"], published=WHEN,
        updated=WHEN + timedelta(hours=1), tag=[Hashtag(href="https://our.example/tags/cslg", name="#csLG"),
                                                Mention(href="https://m.example/users/b", name="@b@m.example")],
        extra={"fedisci:doi": "10.1/x"},
    )
    doc = Create(context=AS_CONTEXT, id="https://our.example/s/1/activity", actor=A, object=note, to=[PUBLIC]).to_json()
    assert doc["type"] == "Create"
    assert doc["object"]["type"] == "Note"
    assert doc["object"]["attributedTo"] == A
    assert doc["object"]["source"] == {"content": "Hi", "mediaType": "text/markdown"}
    assert doc["object"]["updated"] == "2025-06-01T13:00:00Z"
    assert doc["object"]["tag"][0] == {"type": "Hashtag", "href": "https://our.example/tags/cslg", "name": "#csLG"}
    assert doc["object"]["tag"][1]["type"] == "Mention"
    assert doc["object"]["fedisci:doi"] == "10.1/x"
    assert "inReplyTo" not in doc["object"] and "summary" not in doc["object"]
    assert "@context" not in doc["object"]


def test_every_activity_type_names_itself() -> None:
    for cls in (Create, Update, Delete, Follow, Accept, Reject, Undo, Like, Dislike, Announce, Flag):
        assert cls(id="https://x.example/1", actor=A, object="https://x.example/o").to_json()["type"] == cls.__name__
    assert Group().to_json() == {"type": "Group"}


def test_accept_embeds_the_follow_and_undo_embeds_the_like() -> None:
    follow = Follow(id="https://m.example/abc", actor="https://m.example/users/b", object=A)
    accept = Accept(id=A + "#accepts/1", actor=A, object=follow).to_json()
    assert accept["object"] == {"id": "https://m.example/abc", "type": "Follow",
                                "actor": "https://m.example/users/b", "object": A}
    undo = Undo(id=A + "#likes/1/undo", actor=A, object=Like(id=A + "#likes/1", actor=A, object="x")).to_json()
    assert undo["object"]["type"] == "Like"


def test_tombstone_and_delete() -> None:
    doc = Delete(id="https://our.example/s/1#delete", actor=A, to=[PUBLIC],
                 object=Tombstone(id="https://our.example/s/1", former_type="Note", deleted=WHEN)).to_json()
    assert doc["object"] == {"id": "https://our.example/s/1", "type": "Tombstone", "formerType": "Note",
                             "deleted": "2025-06-01T12:00:00Z"}


def test_collections() -> None:
    coll = OrderedCollection(id=A + "/followers", total_items=3, first=A + "/followers?page=1").to_json()
    assert coll == {"id": A + "/followers", "type": "OrderedCollection", "totalItems": 3,
                    "first": A + "/followers?page=1"}
    page = OrderedCollectionPage(id=A + "/outbox?page=1", part_of=A + "/outbox", ordered_items=[],
                                 next=A + "/outbox?page=2").to_json()
    assert page["orderedItems"] == [] and page["partOf"] == A + "/outbox" and "prev" not in page


def test_naive_datetimes_are_utc_and_sets_are_sorted() -> None:
    doc = Note(published=datetime(2025, 1, 2, 3, 4, 5), extra={"x": {"b", "a"}, "skip": None}).to_json()
    assert doc == {"type": "Note", "published": "2025-01-02T03:04:05Z", "x": ["a", "b"]}
