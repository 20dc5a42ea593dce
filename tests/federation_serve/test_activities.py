"""The activity builders the delivery code uses: Create, Update, Delete, Update of an actor; outbox size bound."""

from __future__ import annotations

from fediscience.activitypub import PUBLIC
from fediscience.comments.models import Comment
from fediscience.db import db
from fediscience.federation import outboxes, serialize
from fediscience.federation.keys import ensure_keys
from fediscience.summaries.models import Summary
from fediscience.users.models import Actor
from tests.federation_serve.conftest import BASE, fetch_json


def _get(model, public_id):
    return db.session.query(model).filter_by(public_id=public_id).one()


def test_create_of_a_summary_is_addressed_like_its_note(app, world):
    with app.test_request_context():
        summary = _get(Summary, world.summary)
        activity = serialize.create_activity(summary, f"{BASE}/activities/a1")
    assert activity["@context"][0] == "https://www.w3.org/ns/activitystreams"
    assert activity["type"] == "Create" and activity["id"] == f"{BASE}/activities/a1"
    assert activity["actor"] == f"{BASE}/u/{world.alice}" == activity["object"]["attributedTo"]
    assert activity["to"] == [PUBLIC] and activity["cc"] == [f"{BASE}/u/{world.alice}/followers"]
    assert "@context" not in activity["object"] and activity["object"]["id"] == f"{BASE}/s/{world.summary}"
    assert activity["published"] == activity["object"]["published"]


def test_create_of_a_comment_reaches_the_parent_author(app, world):
    with app.test_request_context():
        activity = serialize.create_activity(_get(Comment, world.comment), f"{BASE}/activities/a2")
    assert activity["actor"] == f"{BASE}/u/{world.bob}"
    assert f"{BASE}/u/{world.alice}" in activity["cc"]
    assert activity["object"]["inReplyTo"] == f"{BASE}/s/{world.summary}"


def test_update_always_carries_updated(app, world):
    with app.test_request_context():
        activity = serialize.update_activity(_get(Summary, world.summary), f"{BASE}/activities/a3")
    assert activity["type"] == "Update" and activity["object"]["updated"].endswith("Z")
    assert activity["published"] == activity["object"]["updated"]


def test_delete_embeds_a_tombstone(app, world):
    with app.test_request_context():
        alice = _get(Actor, world.alice)
        activity = serialize.delete_activity(alice, f"{BASE}/s/{world.summary}", f"{BASE}/activities/a4")
    assert activity["type"] == "Delete" and activity["actor"] == f"{BASE}/u/{world.alice}"
    assert activity["object"]["type"] == "Tombstone" and activity["object"]["id"] == f"{BASE}/s/{world.summary}"
    assert activity["object"]["formerType"] == "Note" and activity["to"] == [PUBLIC]


def test_update_of_an_actor_embeds_the_person(app, world):
    with app.test_request_context():
        alice = _get(Actor, world.alice)
        ensure_keys(alice)
        activity = serialize.actor_update_activity(alice, f"{BASE}/u/{world.alice}#updates/1")
    assert activity["actor"] == activity["object"]["id"] == f"{BASE}/u/{world.alice}"
    assert activity["object"]["type"] == "Person" and "@context" not in activity["object"]
    assert "https://w3id.org/security/v1" in activity["@context"]


def test_a_person_without_keys_is_refused_clearly(app, world):
    with app.test_request_context():
        bob = _get(Actor, world.bob)
        bob.public_key_pem = None
        try:
            serialize.person(bob)
        except serialize.MissingKey as exc:
            assert "ensure_keys" in str(exc)
        else:
            raise AssertionError("a Person without a key must not be served")


def test_outbox_pages_reference_notes_too_large_to_embed(client, world, monkeypatch):
    monkeypatch.setattr(outboxes, "MAX_EMBEDDED_BYTES", 100)
    [create] = fetch_json(client, f"/u/{world.alice}/outbox?page=1")["orderedItems"]
    assert create["object"] == f"{BASE}/s/{world.summary}"
