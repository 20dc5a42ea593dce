"""Tolerant reading of received ActivityStreams JSON, and refusal of structurally invalid input."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from fediscience.activitypub import parse
from fediscience.activitypub.errors import ActivityError
from fediscience.activitypub.vocab import PUBLIC

A = "https://m.example/users/alice"
NOTE_ID = "https://m.example/users/alice/statuses/1"


def mastodon_reply() -> dict[str, Any]:
    """A Create{Note} as Mastodon 4.4 sends a reply."""
    return {
        "@context": ["https://www.w3.org/ns/activitystreams", {"ostatus": "http://ostatus.org#"}],
        "id": NOTE_ID + "/activity", "type": "Create", "actor": A, "published": "2025-06-01T12:00:00Z",
        "to": ["https://www.w3.org/ns/activitystreams#Public"], "cc": [A + "/followers", "https://our.example/u/b"],
        "object": {
            "id": NOTE_ID, "type": "Note", "summary": None, "inReplyTo": "https://our.example/s/9",
            "published": "2025-06-01T12:00:00Z", "url": "https://m.example/@alice/1", "attributedTo": A,
            "to": ["https://www.w3.org/ns/activitystreams#Public"], "cc": [A + "/followers"], "sensitive": False,
            "contentMap": {"en": "<p>Nice summary</p>"},
            "tag": [{"type": "Mention", "href": "https://our.example/u/b", "name": "@b@our.example"},
                    {"type": "Hashtag", "href": "https://m.example/tags/cslg", "name": "#csLG"},
                    {"type": "Emoji", "name": ":blob:", "icon": {"type": "Image", "url": "https://m.example/b.png"}},
                    "not a tag"],
        },
    }


def test_id_forms() -> None:
    assert parse.id_of("https://a/1") == "https://a/1"
    assert parse.id_of({"id": "https://a/1", "type": "Note"}) == "https://a/1"
    assert parse.id_of({"type": "Link", "href": "https://a/2"}) == "https://a/2"
    assert parse.id_of([None, {"type": "Note"}, "https://a/3"]) == "https://a/3"
    assert parse.id_of([]) is None and parse.id_of(42) is None and parse.id_of("") is None
    assert parse.ids_of(["https://a/1", {"id": "https://a/2"}, "https://a/1", 7]) == ["https://a/1", "https://a/2"]
    assert parse.first([]) is None and parse.first([1, 2]) == 1 and parse.first("x") == "x"


def test_type_forms() -> None:
    assert parse.types_of({"type": "Note"}) == ("Note",)
    assert parse.types_of({"type": ["Note", "fedisci:Summary", 3]}) == ("Note", "fedisci:Summary")
    assert parse.has_type({"type": ["Service", "Person"]}, "Person")
    assert parse.type_of("https://a/1") is None


def test_content_and_content_map() -> None:
    assert parse.content_of({"content": "<p>a</p>", "contentMap": {"de": "<p>b</p>"}}) == "<p>a</p>"
    assert parse.content_of({"contentMap": {"de": "<p>b</p>", "en": "<p>c</p>"}}, ["en"]) == "<p>c</p>"
    assert parse.content_of({"contentMap": {"de": "<p>b</p>"}}, ["en"]) == "<p>b</p>"
    assert parse.content_of({"content": None}) is None
    assert parse.text_of({"nameMap": {"fr": "Titre"}}, "name") == "Titre"


def test_addressing_collapses_public_aliases() -> None:
    addressing = parse.addressing_of({"to": "as:Public", "cc": ["Public", {"id": A + "/followers"}],
                                      "bto": "https://x/1", "audience": {"id": "https://our.example/p/1"}})
    assert addressing.to == {PUBLIC}
    assert addressing.cc == {PUBLIC, A + "/followers"}
    assert addressing.bcc == frozenset()
    assert addressing.recipients == {PUBLIC, A + "/followers", "https://x/1", "https://our.example/p/1"}
    assert addressing.is_public and addressing.visibility() == "public"
    assert parse.addressing_of({"cc": [PUBLIC]}).visibility() == "unlisted"
    assert parse.addressing_of({"to": [A + "/followers"]}).visibility(A + "/followers") == "followers"
    assert parse.addressing_of({"to": ["https://our.example/u/b"]}).visibility(A + "/followers") == "direct"
    assert not parse.addressing_of("nope").is_public


def test_attributed_to_forms() -> None:
    assert parse.attributed_to({"attributedTo": A}) == A
    assert parse.attributed_to({"attributedTo": {"id": A, "type": "Person"}}) == A
    peertube = {"attributedTo": [{"type": "Group", "id": "https://p/c/chan"}, {"type": "Person", "id": A}]}
    assert parse.attributed_to(peertube) == A
    assert parse.attributed_to_ids(peertube) == ["https://p/c/chan", A]
    assert parse.attributed_to({}) is None


def test_tags_mentions_hashtags() -> None:
    note = mastodon_reply()["object"]
    tags = parse.tags_of(note)
    assert [tag.type for tag in tags] == ["Mention", "Hashtag", "Emoji"]
    assert tags[2].icon_url == "https://m.example/b.png"
    assert parse.mentions_of(note) == ["https://our.example/u/b"]
    assert parse.hashtags_of(note) == ["csLG"]
    assert parse.tags_of({"tag": {"type": "Hashtag", "name": "#x"}})[0].name == "x"


def test_in_reply_to_and_url_forms() -> None:
    assert parse.in_reply_to({"inReplyTo": {"id": "https://a/1", "type": "Note"}}) == "https://a/1"
    assert parse.in_reply_to({"inReplyTo": None}) is None
    links = [{"type": "Link", "mediaType": "application/x-mpegURL", "href": "https://v/m3u8"},
             {"type": "Link", "mediaType": "text/html", "href": "https://v/w/1"}]
    assert parse.url_of(links) == "https://v/w/1"
    assert parse.url_of({"type": "Image", "url": "https://a/i.png"}) == "https://a/i.png"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-06-01T12:00:00Z", datetime(2025, 6, 1, 12, tzinfo=timezone.utc)),
        ("2025-06-01T12:00:00.123456789Z", datetime(2025, 6, 1, 12, 0, 0, 123456, tzinfo=timezone.utc)),
        ("2025-06-01T14:00:00+02:00", datetime(2025, 6, 1, 12, tzinfo=timezone.utc)),
        ("2025-06-01t12:00:00z", datetime(2025, 6, 1, 12, tzinfo=timezone.utc)),
        ("2025-06-01 12:00:00", datetime(2025, 6, 1, 12, tzinfo=timezone.utc)),
        ("2025-06-01", datetime(2025, 6, 1, tzinfo=timezone.utc)),
        ("yesterday", None), ("", None), (None, None), (1717243200, None), ("2025-13-01T00:00:00Z", None),
        ("9" * 100, None),
    ],
)
def test_datetimes(value: object, expected: datetime | None) -> None:
    parsed = parse.published_of({"published": value})
    assert parsed == expected
    if parsed is not None:
        assert parsed.utcoffset() == timedelta(0)


def test_read_activity_of_a_mastodon_reply() -> None:
    activity = parse.read_activity(mastodon_reply())
    assert (activity.type, activity.actor, activity.object_id) == ("Create", A, NOTE_ID)
    assert activity.addressing.is_public
    assert activity.published == datetime(2025, 6, 1, 12, tzinfo=timezone.utc)
    note = parse.read_object(activity.object)
    assert note.type == "Note" and note.attributed_to == A
    assert note.content == "<p>Nice summary</p>"
    assert note.in_reply_to == "https://our.example/s/9"
    assert note.url == "https://m.example/@alice/1"
    assert note.sensitive is False and note.summary is None
    assert parse.has_as_context(mastodon_reply())
    assert not parse.has_as_context({"@context": "https://example.com/ctx"})


def test_read_activity_accepts_actor_objects_and_bare_object_ids() -> None:
    doc = {"id": "https://m.example/1", "type": "Follow", "actor": {"id": A, "type": "Person"},
           "object": "https://our.example/u/b"}
    activity = parse.read_activity(doc)
    assert activity.actor == A and activity.object == "https://our.example/u/b"


def _nested(depth: int) -> dict[str, Any]:
    doc: dict[str, Any] = {"id": "https://m.example/x", "type": "Note"}
    for _ in range(depth):
        doc = {"object": doc}
    return doc


INVALID = {
    "not an object": (["https://m.example/1"], "not_an_object"),
    "missing id": ({"type": "Like", "actor": A, "object": NOTE_ID}, "missing_activity_id"),
    "id not http": ({"id": "urn:uuid:1", "type": "Like", "actor": A, "object": NOTE_ID}, "bad_activity_id"),
    "id javascript": ({"id": "javascript:alert(1)", "type": "Like", "actor": A, "object": NOTE_ID},
                      "bad_activity_id"),
    "id not a string": ({"id": 5, "type": "Like", "actor": A, "object": NOTE_ID}, "bad_activity_id"),
    "missing type": ({"id": "https://m.example/1", "actor": A, "object": NOTE_ID}, "missing_type"),
    "missing actor": ({"id": "https://m.example/1", "type": "Like", "object": NOTE_ID}, "missing_actor"),
    "actor not http": ({"id": "https://m.example/1", "type": "Like", "actor": "acct:a@m", "object": NOTE_ID},
                       "bad_actor"),
    "missing object": ({"id": "https://m.example/1", "type": "Like", "actor": A}, "missing_object"),
    "object id not http": ({"id": "https://m.example/1", "type": "Like", "actor": A, "object": "ftp://x/y"},
                           "bad_object_id"),
    "too deep": ({"id": "https://m.example/1", "type": "Create", "actor": A, "object": _nested(40)}, "too_deep"),
    "too long": ({"id": "https://m.example/1", "type": "Create", "actor": A,
                  "object": {"id": NOTE_ID, "content": "x" * 600_000}}, "too_long"),
    "id too long": ({"id": "https://m.example/" + "a" * 3000, "type": "Like", "actor": A, "object": NOTE_ID},
                    "bad_activity_id"),
    "too many values": ({"id": "https://m.example/1", "type": "Create", "actor": A, "object": NOTE_ID,
                         "tag": [0] * 30_000}, "too_large"),
    "type too long": ({"id": "https://m.example/1", "type": "L" * 100, "actor": A, "object": NOTE_ID}, "bad_type"),
}


@pytest.mark.parametrize(("doc", "code"), INVALID.values(), ids=INVALID.keys())
def test_structurally_invalid_activities(doc: Any, code: str) -> None:
    with pytest.raises(ActivityError) as caught:
        parse.read_activity(doc)
    assert caught.value.code == code, caught.value.reason
    assert isinstance(caught.value, ValueError)


def test_read_object_requires_an_http_id_and_a_type() -> None:
    with pytest.raises(ActivityError, match="object id is missing"):
        parse.read_object({"type": "Note", "content": "x"})
    with pytest.raises(ActivityError, match="no type"):
        parse.read_object({"id": NOTE_ID})
    tombstone = parse.read_object({"id": NOTE_ID, "type": "Tombstone"})
    assert tombstone.type == "Tombstone" and tombstone.content is None


def mastodon_actor() -> dict[str, Any]:
    """An actor document as Mastodon serves it."""
    return {
        "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
        "id": A, "type": "Person", "preferredUsername": "alice", "name": "Alice", "inbox": A + "/inbox",
        "outbox": A + "/outbox", "followers": A + "/followers", "following": A + "/following",
        "endpoints": {"sharedInbox": "https://m.example/inbox"}, "url": "https://m.example/@alice",
        "manuallyApprovesFollowers": True, "icon": {"type": "Image", "url": "https://m.example/a.png"},
        "publicKey": {"id": A + "#main-key", "owner": A, "publicKeyPem": "-----BEGIN PUBLIC KEY-----\n"},
    }


def test_read_actor() -> None:
    actor = parse.read_actor(mastodon_actor())
    assert (actor.id, actor.type, actor.preferred_username) == (A, "Person", "alice")
    assert actor.shared_inbox == "https://m.example/inbox"
    assert actor.public_key_id == A + "#main-key" and actor.public_key_owner == A
    assert actor.public_key_pem and actor.manually_approves_followers is True
    assert actor.icon_url == "https://m.example/a.png"
    listed_key = {**mastodon_actor(), "publicKey": [{"id": A + "#k2", "publicKeyPem": "x"}], "endpoints": None,
                  "sharedInbox": "https://m.example/si"}
    assert parse.read_actor(listed_key).public_key_id == A + "#k2"
    assert parse.read_actor(listed_key).shared_inbox == "https://m.example/si"


@pytest.mark.parametrize(
    ("change", "code"),
    [({"type": "Note"}, "not_an_actor"), ({"preferredUsername": ""}, "missing_preferred_username"),
     ({"inbox": None}, "missing_inbox"), ({"inbox": "mailto:a@b"}, "bad_inbox"), ({"id": None}, "missing_actor_id")],
)
def test_read_actor_refuses_what_mastodon_refuses(change: dict[str, Any], code: str) -> None:
    with pytest.raises(ActivityError) as caught:
        parse.read_actor({**mastodon_actor(), **change})
    assert caught.value.code == code
