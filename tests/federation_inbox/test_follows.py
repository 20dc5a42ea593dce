"""Follow → Accept (or a pending request on a locked account), repeats, Undo, and answers to our own Follows."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import select

from fediscience.db import db
from fediscience.federation.models import Activity, Delivery, Follow, InboxItem, Notification
from fediscience.users.models import Actor
from tests.federation_inbox.conftest import Local, Remote, activity, count, deliver, process
from tests.helpers import csrf_token, login


def _accepts(app: Flask) -> list[tuple[dict[str, Any], list[str]]]:
    with app.app_context():
        rows = db.session.scalars(select(Activity).where(Activity.activity_type == "Accept").order_by(Activity.id))
        return [
            (row.payload, list(db.session.scalars(select(Delivery.inbox_url).where(Delivery.activity_id == row.id))))
            for row in rows
        ]


def _follow_state(app: Flask) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(Follow.state)))


def _lock(app: Flask, local: Local) -> None:
    with app.app_context():
        db.session.get(Actor, local.actor_id).manually_approves_followers = True
        db.session.commit()


def test_a_follow_is_stored_answered_202_then_accepted(app: Flask, client: Any, mallory: Remote, alice: Local) -> None:
    follow = activity(mallory, "Follow", alice.url)

    response = deliver(client, mallory, follow)

    assert response.status_code == 202
    assert count(app, InboxItem) == 1
    process(app)
    assert _follow_state(app) == ["accepted"]
    assert count(app, Notification, Notification.kind == "follow", Notification.recipient_id == alice.actor_id) == 1
    [(accept, inboxes)] = _accepts(app)
    assert accept["actor"] == alice.url and accept["id"].startswith(f"{alice.url}#accepts/follows/")
    assert accept["object"]["id"] == follow["id"] and accept["object"]["type"] == "Follow"
    assert accept["object"]["actor"] == mallory.uri and accept["object"]["object"] == alice.url
    assert inboxes == [mallory.inbox]
    with app.app_context():
        item = db.session.scalar(select(InboxItem))
        assert (item.status, item.attempts, item.activity_type) == ("done", 1, "Follow")


def test_the_personal_inbox_takes_deliveries_and_unknown_users_get_404(
    app: Flask, client: Any, mallory: Remote, alice: Local
) -> None:
    response = deliver(client, mallory, activity(mallory, "Follow", alice.url), path=f"/u/{alice.public_id}/inbox")
    assert response.status_code == 202
    missing = deliver(client, mallory, activity(mallory, "Follow", alice.url), path="/u/nobody/inbox")
    assert missing.status_code == 404 and missing.get_json()["error"]
    process(app)
    assert _follow_state(app) == ["accepted"]
    assert count(app, InboxItem) == 1


def test_a_duplicate_delivery_has_one_effect(app: Flask, client: Any, mallory: Remote, alice: Local) -> None:
    follow = activity(mallory, "Follow", alice.url)
    assert deliver(client, mallory, follow).status_code == 202
    assert deliver(client, mallory, follow).status_code == 202
    process(app)
    assert count(app, InboxItem) == 1
    assert _follow_state(app) == ["accepted"]
    assert len(_accepts(app)) == 1
    assert count(app, Notification) == 1


def test_a_repeated_follow_with_a_new_id_is_accepted_again(
    app: Flask, client: Any, mallory: Remote, alice: Local
) -> None:
    first, second = activity(mallory, "Follow", alice.url), activity(mallory, "Follow", alice.url)
    deliver(client, mallory, first)
    process(app)
    deliver(client, mallory, second)
    process(app)
    assert _follow_state(app) == ["accepted"]
    assert [payload["object"]["id"] for payload, _ in _accepts(app)] == [first["id"], second["id"]]
    assert count(app, Notification) == 1


def test_undo_follow_removes_it_and_only_the_follower_can(
    app: Flask, client: Any, mallory: Remote, trent: Remote, alice: Local
) -> None:
    follow = activity(mallory, "Follow", alice.url)
    deliver(client, mallory, follow)
    process(app)
    deliver(client, trent, activity(trent, "Undo", follow | {"actor": trent.uri}))
    deliver(client, trent, activity(trent, "Undo", follow["id"]))
    process(app)
    assert _follow_state(app) == ["accepted"]
    with app.app_context():
        statuses = sorted(db.session.scalars(select(InboxItem.status).where(InboxItem.activity_type == "Undo")))
    assert statuses == ["rejected", "rejected"]

    deliver(client, mallory, activity(mallory, "Undo", follow))
    process(app)
    assert _follow_state(app) == []


def test_a_follow_of_a_locked_account_waits_for_approval(
    app: Flask, client: Any, mallory: Remote, alice: Local
) -> None:
    _lock(app, alice)
    follow = activity(mallory, "Follow", alice.url)
    deliver(client, mallory, follow)
    deliver(client, mallory, activity(mallory, "Follow", alice.url))
    process(app)
    assert _follow_state(app) == ["pending"]
    assert count(app, Notification, Notification.kind == "follow_request") == 1
    assert _accepts(app) == []


def test_approving_a_request_sends_accept_of_the_original_follow(
    app: Flask, client: Any, mallory: Remote, alice: Local
) -> None:
    _lock(app, alice)
    follow = activity(mallory, "Follow", alice.url)
    deliver(client, mallory, follow)
    process(app)
    login(client, "alice")
    page = client.get("/settings/followers").get_data(as_text=True)
    assert "mallory" in page and "Approve" in page
    with app.app_context():
        follow_id = db.session.scalar(select(Follow.id))

    refused = client.post(f"/settings/followers/{follow_id}/approve")
    assert refused.status_code == 400 and _follow_state(app) == ["pending"]
    response = client.post(f"/settings/followers/{follow_id}/approve", data={"csrf_token": csrf_token(client)})

    assert response.status_code == 302
    assert _follow_state(app) == ["accepted"]
    [(accept, inboxes)] = _accepts(app)
    assert accept["object"]["id"] == follow["id"] and inboxes == [mallory.inbox]
    assert "No one is waiting" in client.get("/settings/followers").get_data(as_text=True)


def test_rejecting_a_request_sends_reject_and_removes_it(
    app: Flask, client: Any, mallory: Remote, alice: Local
) -> None:
    _lock(app, alice)
    follow = activity(mallory, "Follow", alice.url)
    deliver(client, mallory, follow)
    process(app)
    login(client, "alice")
    with app.app_context():
        follow_id = db.session.scalar(select(Follow.id))

    response = client.post(f"/settings/followers/{follow_id}/reject", data={"csrf_token": csrf_token(client)})

    assert response.status_code == 302
    assert _follow_state(app) == []
    with app.app_context():
        reject = db.session.scalar(select(Activity).where(Activity.activity_type == "Reject"))
        assert reject.payload["object"]["id"] == follow["id"]
    again = client.post(f"/settings/followers/{follow_id}/reject", data={"csrf_token": csrf_token(client)})
    assert again.status_code == 404


def test_someone_elses_request_cannot_be_approved(app: Flask, client: Any, mallory: Remote, alice: Local) -> None:
    from fediscience.users.services import register_user

    _lock(app, alice)
    deliver(client, mallory, activity(mallory, "Follow", alice.url))
    process(app)
    with app.app_context():
        register_user("eve", "eve@example.org", "correct horse battery")
        db.session.commit()
        follow_id = db.session.scalar(select(Follow.id))
    login(client, "eve")
    response = client.post(f"/settings/followers/{follow_id}/approve", data={"csrf_token": csrf_token(client)})
    assert response.status_code == 404
    assert _follow_state(app) == ["pending"]


def test_the_profile_form_locks_the_account(app: Flask, client: Any, alice: Local) -> None:
    login(client, "alice")
    response = client.post(
        "/settings/profile",
        data={"csrf_token": csrf_token(client, "/settings/profile"), "display_name": "Alice",
              "manually_approves_followers": "y"},
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Actor, alice.actor_id).manually_approves_followers is True
    page = client.get("/settings/profile").get_data(as_text=True)
    assert '<input checked id="manually_approves_followers"' in page


def _our_follow(app: Flask, alice: Local, remote: Remote) -> str:
    uri = f"http://localhost/activities/follow-{remote.path.rsplit('/', 1)[1]}"
    with app.app_context():
        followee = db.session.scalar(select(Actor).where(Actor.uri == remote.uri))
        db.session.add(Follow(follower_id=alice.actor_id, followee_id=followee.id, state="pending", uri=uri))
        db.session.commit()
    return uri


def test_accept_of_our_follow_by_its_id_or_embedded(
    app: Flask, client: Any, mallory: Remote, trent: Remote, alice: Local
) -> None:
    uri = _our_follow(app, alice, mallory)
    deliver(client, trent, activity(trent, "Accept", uri))  # not trent's to accept
    process(app)
    assert _follow_state(app) == ["pending"]

    embedded = {"id": "http://localhost/some-other-id", "type": "Follow", "actor": alice.url, "object": mallory.uri}
    deliver(client, mallory, activity(mallory, "Accept", embedded))
    process(app)
    assert _follow_state(app) == ["accepted"]


def test_reject_of_our_follow_removes_it(app: Flask, client: Any, mallory: Remote, alice: Local) -> None:
    uri = _our_follow(app, alice, mallory)
    deliver(client, mallory, activity(mallory, "Reject", {"id": uri, "type": "Follow", "actor": alice.url,
                                                           "object": mallory.uri}))
    process(app)
    assert _follow_state(app) == []
