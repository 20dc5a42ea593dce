"""Publishing our summaries and profiles: Create / Update / Delete of a summary's Note and Update of a Person,
delivered once per shared inbox to the author's followers, written in the caller's transaction."""

from __future__ import annotations

import time
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from fediscience.activitypub import PUBLIC
from fediscience.db import db
from fediscience.federation import urls
from fediscience.federation.models import Activity, Delivery, Follow
from fediscience.federation.outboxes import actor_outbox
from fediscience.summaries.models import Summary, SummaryRevision
from fediscience.signals import summary_published, summary_withdrawn
from fediscience.summaries.services import create_summary, delete_summary, edit_summary
from fediscience.users.models import Actor, User
from fediscience.users.services import update_profile
from tests.federation_delivery.conftest import remote_actor
from tests.federation_delivery.publishing_world import (
    SOURCE, bodies, followers, paper, remote_summary, sent, types,
)
from tests.helpers import make_paper, wait_for_jobs


def _publish(author, **visibility):
    summary = create_summary(author, paper(), SOURCE, draft=visibility.get("draft", False),
                             private=visibility.get("private", False))
    db.session.commit()
    wait_for_jobs(current_app)
    return summary


def _backdate(minutes: int = 10) -> None:
    """Move publication, revisions and sent activities into the past, so that the next edit's `updated` is visibly
    newer (ActivityStreams times have whole seconds)."""
    for model, column in ((SummaryRevision, "created_at"), (Activity, "created_at"), (Summary, "published_at")):
        for row in db.session.scalars(select(model)):
            setattr(row, column, getattr(row, column) - timedelta(minutes=minutes))
    db.session.commit()


def _clear(receivers) -> None:
    for receiver in receivers:
        receiver.received.clear()


def test_a_published_summary_is_created_once_per_shared_inbox_of_the_followers(ctx, author, receivers, runner):
    a, b, c = receivers
    followers(author, a, b)
    summary = _publish(author)

    assert sorted(post.path for post in a.posts()) == ["/inbox", "/users/dan/inbox"]
    assert [post.path for post in b.posts()] == ["/inbox"] and c.posts() == []
    [create] = sent()
    for body in bodies(a) + bodies(b):
        assert body == create.payload
    body = create.payload
    note_id = urls.summary_url(summary)
    assert body["type"] == "Create" and body["id"] == create.uri and body["id"].startswith(f"{urls.base_url()}/")
    assert body["actor"] == urls.actor_url(author) == body["object"]["attributedTo"]
    assert body["object"]["id"] == note_id == f"{urls.base_url()}/s/{summary.public_id}"
    assert body["object"]["type"] == "Note" and "inReplyTo" not in body["object"]
    assert body["to"] == [PUBLIC] and body["cc"] == [urls.followers_url(author)]
    assert "updated" not in body["object"]
    assert len(runner.jobs) == 1  # one job for the activity's three deliveries


def test_the_outbox_shows_the_id_of_the_create_that_was_delivered(ctx, author, receivers):
    followers(author, receivers[0], receivers[1])
    _publish(author)
    [item] = actor_outbox(author, page=1)["orderedItems"]
    assert item["id"] == bodies(receivers[0], "/inbox")[0]["id"] == sent()[0].uri


def test_drafts_and_private_summaries_send_nothing(ctx, author, receivers, runner):
    followers(author, receivers[0], receivers[1])
    _publish(author, draft=True)
    create_summary(author, make_paper("Another Paper", arxiv_id="2101.00001"), SOURCE, draft=False, private=True)
    db.session.commit()
    wait_for_jobs(ctx)
    assert sent() == [] and runner.jobs == []
    assert all(receiver.posts() == [] for receiver in receivers)


def test_making_a_summary_private_deletes_it_and_public_again_creates_it_anew(ctx, author, receivers):
    a = receivers[0]
    followers(author, a, receivers[1])
    summary = _publish(author)
    first_create = sent()[0].uri
    page = urls.summary_url(summary)
    _clear(receivers)

    edit_summary(summary, author, SOURCE, draft=False, private=True)
    db.session.commit()
    wait_for_jobs(ctx)
    [delete] = bodies(a, "/inbox")
    assert delete["type"] == "Delete" and delete["actor"] == urls.actor_url(author)
    assert delete["object"]["type"] == "Tombstone" and delete["object"]["id"] == page
    assert delete["object"]["formerType"] == "Note"
    _clear(receivers)

    # Mastodon keeps a tombstone of a deleted id and refuses a Create of it: the new publication has a new id.
    edit_summary(summary, author, SOURCE, draft=False, private=False)
    db.session.commit()
    wait_for_jobs(ctx)
    [create] = bodies(a, "/inbox")
    assert create["type"] == "Create" and create["object"]["id"] == f"{page}/v/1" == urls.summary_note_id(summary)
    assert create["object"]["url"] == page
    assert create["id"] != first_create
    assert actor_outbox(author, page=1)["orderedItems"][0]["id"] == create["id"]  # the newest Create
    _clear(receivers)

    edit_summary(summary, author, SOURCE, draft=False, private=True)
    db.session.commit()
    edit_summary(summary, author, SOURCE, draft=False, private=False)
    db.session.commit()
    wait_for_jobs(ctx)
    delete, create = bodies(a, "/inbox")
    assert delete["type"] == "Delete" and delete["object"]["id"] == f"{page}/v/1"
    assert create["type"] == "Create" and create["object"]["id"] == f"{page}/v/2"


def test_each_note_id_of_a_summary_answers_as_its_publication_stands(ctx, author, receivers):
    followers(author, receivers[0], receivers[1])
    summary = _publish(author)
    for private in (True, False, True, False):
        edit_summary(summary, author, SOURCE, draft=False, private=private)
        db.session.commit()
    page = urls.summary_url(summary)
    client = ctx.test_client()
    accept = {"Accept": "application/activity+json"}
    current = client.get(f"/s/{summary.public_id}/v/2", headers=accept)
    assert current.status_code == 200 and current.get_json()["id"] == f"{page}/v/2"
    assert current.get_json()["url"] == page
    assert client.get(f"/s/{summary.public_id}", headers=accept).get_json()["id"] == f"{page}/v/2"
    earlier = client.get(f"/s/{summary.public_id}/v/1", headers=accept)
    assert earlier.status_code == 410 and earlier.get_json()["type"] == "Tombstone"
    assert earlier.get_json()["id"] == f"{page}/v/1"
    assert client.get(f"/s/{summary.public_id}/v/3", headers=accept).status_code == 404
    assert client.get(f"/s/{summary.public_id}/v/2").status_code == 302  # a browser goes to the page

    from fediscience.federation.ingest.context import local_summary

    assert local_summary(f"{page}/v/2").id == summary.id and local_summary(page).id == summary.id
    assert local_summary(f"{page}/v/1") is None and local_summary(f"{page}/x/2") is None


def test_a_draft_made_public_is_created(ctx, author, receivers):
    followers(author, receivers[0], receivers[1])
    summary = _publish(author, draft=True)
    edit_summary(summary, author, SOURCE, draft=False, private=False)
    db.session.commit()
    wait_for_jobs(ctx)
    assert types(receivers[0], "/inbox") == ["Create"] and types(receivers[1]) == ["Create"]


def test_an_edit_sends_update_with_a_newer_updated_and_a_save_without_change_sends_nothing(ctx, author, receivers):
    a = receivers[0]
    followers(author, a, receivers[1])
    summary = _publish(author)
    assert "updated" not in bodies(a, "/inbox")[0]["object"]
    _backdate()
    _clear(receivers)

    edit_summary(summary, author, SOURCE + " Edited once.", draft=False, private=False)
    db.session.commit()
    wait_for_jobs(ctx)
    [first] = bodies(a, "/inbox")
    assert first["type"] == "Update" and first["object"]["id"] == urls.summary_url(summary)
    assert "Edited once." in first["object"]["content"]
    assert first["object"]["updated"] > first["object"]["published"]
    assert first["published"] == first["object"]["updated"]
    _clear(receivers)

    edit_summary(summary, author, SOURCE + " Edited once.", draft=False, private=False)  # saved unchanged
    db.session.commit()
    wait_for_jobs(ctx)
    assert a.posts() == []

    time.sleep(1.0)  # ActivityStreams times have whole seconds: Mastodon would ignore a second edit in the same one
    edit_summary(summary, author, SOURCE + " Edited twice.", draft=False, private=False)
    db.session.commit()
    wait_for_jobs(ctx)
    [second] = bodies(a, "/inbox")
    assert second["type"] == "Update" and second["object"]["updated"] > first["object"]["updated"]
    assert second["id"] != first["id"]


def test_a_deleted_summary_is_deleted_wherever_it_was_sent(ctx, author, receivers):
    a, b = receivers[0], receivers[1]
    followers(author, a, b)
    summary = _publish(author)
    note_id = urls.summary_url(summary)
    eve = db.session.query(Actor).filter_by(username="eve").one()
    db.session.query(Follow).filter_by(follower_id=eve.id).delete()
    db.session.commit()  # eve, b's only follower, left; b was sent the Create, so it gets the Delete too
    _clear(receivers)

    delete_summary(summary, author)
    db.session.commit()
    wait_for_jobs(ctx)
    for receiver, path in ((a, "/inbox"), (a, "/users/dan/inbox"), (b, "/inbox")):
        [delete] = bodies(receiver, path)
        assert delete["type"] == "Delete" and delete["object"] == {
            "id": note_id, "type": "Tombstone", "formerType": "Note", "deleted": delete["object"]["deleted"]}


def test_a_rolled_back_publication_sends_nothing(ctx, author, receivers, runner):
    followers(author, receivers[0], receivers[1])
    db.session.commit()
    create_summary(author, paper(), SOURCE, draft=False, private=False)
    assert db.session.query(Delivery).count() == 3  # written in the caller's transaction...
    db.session.rollback()
    wait_for_jobs(ctx)
    assert sent() == [] and db.session.query(Delivery).count() == 0  # ...and gone with it
    assert runner.jobs == [] and all(receiver.posts() == [] for receiver in receivers)


def test_remote_copies_of_summaries_are_never_republished(ctx, author, receivers):
    a = receivers[0]
    followers(author, a, receivers[1])
    rob = remote_actor("rob", a.url("/users/rob/inbox"), a.url("/inbox"))
    summary = remote_summary(rob, paper(), a.url("/notes/1"))
    summary_published.send(summary=summary)  # as an ingest that reuses the services would
    summary_withdrawn.send(summary=summary, deleted=True)
    db.session.commit()
    wait_for_jobs(ctx)
    assert sent() == [] and a.posts() == []


def test_a_profile_edit_updates_the_person_at_the_followers(ctx, author, receivers):
    a = receivers[0]
    followers(author, a, receivers[1])
    user = User(actor=author, username_key="alice", email="alice@example.org", password_hash="unused")
    db.session.add(user)
    db.session.commit()

    update_profile(user, display_name="Alice L.", bio="Maths.", orcid="", website="")
    db.session.commit()
    wait_for_jobs(ctx)
    assert types(a) == ["Update", "Update"] and types(receivers[1]) == ["Update"]
    body = bodies(a, "/inbox")[0]
    assert body["actor"] == body["object"]["id"] == urls.actor_url(author)
    assert body["object"]["type"] == "Person" and body["object"]["name"] == "Alice L."
    assert body["object"]["publicKey"]["id"] == urls.key_id(author)
    assert body["to"] == [PUBLIC] and body["cc"] == [urls.followers_url(author)]
