"""Following local accounts, the home feed, notifications, and finding accounts from the search box."""

from __future__ import annotations

from sqlalchemy import select

from fediscience.db import db
from fediscience.federation.models import Follow, Notification
from fediscience.users.models import Actor
from tests.helpers import post_form
from tests.web.test_comments import comment, comment_id
from tests.web.test_summaries import summary_id, write


def _actor_id(app, username: str) -> str:
    with app.app_context():
        return db.session.scalar(select(Actor.public_id).where(Actor.username == username))


def test_following_a_local_user_fills_the_feed_and_notifies(app, alice, bob, paper_id):
    bob_id = _actor_id(app, "bob")
    assert post_form(alice, f"/actors/{bob_id}/follow", {}).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Follow.state)) == "accepted"
        assert db.session.scalar(select(Notification.kind)) == "follow"
    write(bob, paper_id, source="Bob's summary about $x$.")
    feed = alice.get("/feed").get_data(as_text=True)
    assert "Robustness of classifiers" in feed and "<math" in feed
    assert "Notifications" in bob.get("/").get_data(as_text=True)
    page = bob.get("/notifications").get_data(as_text=True)
    assert 'data-kind="follow"' in page and "alice" in page
    assert post_form(alice, f"/actors/{bob_id}/unfollow", {}).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Follow.id)) is None
    assert "Bob" not in alice.get("/feed").get_data(as_text=True).split("<h1>Your feed</h1>")[1]


def test_a_locked_account_gets_a_follow_request(app, alice, bob):
    with app.app_context():
        actor = db.session.scalar(select(Actor).where(Actor.username == "bob"))
        actor.manually_approves_followers = True
        db.session.commit()
    post_form(alice, f"/actors/{_actor_id(app, 'bob')}/follow", {})
    with app.app_context():
        assert db.session.scalar(select(Follow.state)) == "pending"
        assert db.session.scalar(select(Notification.kind)) == "follow_request"
    assert "Cancel follow request" in alice.get("/@bob", follow_redirects=True).get_data(as_text=True)


def test_comments_and_replies_notify_the_author_and_the_parent(app, alice, bob, paper_id):
    write(alice, paper_id)
    summary = summary_id(app)
    comment(bob, summary, "A question")
    comment(alice, summary, "An answer", comment_id(app, "A question"))
    with app.app_context():
        kinds = sorted(
            (n.kind, n.recipient_id) for n in db.session.scalars(select(Notification))
        )
        alice_actor = db.session.scalar(select(Actor.id).where(Actor.username == "alice"))
        bob_actor = db.session.scalar(select(Actor.id).where(Actor.username == "bob"))
    assert kinds == [("comment", alice_actor), ("reply", bob_actor)]


def test_following_needs_a_token_and_not_oneself(app, alice):
    alice_id = _actor_id(app, "alice")
    assert alice.post(f"/actors/{alice_id}/follow").status_code == 400
    post_form(alice, f"/actors/{alice_id}/follow", {})
    with app.app_context():
        assert db.session.scalar(select(Follow.id)) is None
    assert alice.get("/actors/nosuch").status_code == 404


def test_the_search_box_finds_a_local_handle(app, alice, bob):
    response = alice.get("/search?q=@bob@localhost")
    assert response.status_code == 302
    assert alice.get(response.headers["Location"], follow_redirects=True).status_code == 200
