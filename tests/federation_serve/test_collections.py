"""Outbox, followers, following, replies, likes, shares: totals, pages, next/prev/partOf."""

from __future__ import annotations

from fediscience.db import db
from fediscience.federation.models import Activity
from fediscience.summaries.services import create_summary
from fediscience.users.models import Actor
from tests.federation_serve.conftest import BASE, fetch, fetch_json
from tests.helpers import make_paper


def test_the_outbox_lists_creates_of_public_summaries_only(client, world):
    url = f"{BASE}/u/{world.alice}/outbox"
    outbox = fetch_json(client, f"/u/{world.alice}/outbox")
    assert outbox["type"] == "OrderedCollection" and outbox["id"] == url
    assert outbox["totalItems"] == 1 and outbox["first"] == f"{url}?page=1"
    page = fetch_json(client, f"/u/{world.alice}/outbox?page=1")
    assert page["type"] == "OrderedCollectionPage" and page["partOf"] == url and page["id"] == f"{url}?page=1"
    [create] = page["orderedItems"]
    assert create["type"] == "Create" and create["actor"] == f"{BASE}/u/{world.alice}"
    assert create["object"]["id"] == f"{BASE}/s/{world.summary}" and create["object"]["type"] == "Note"
    assert create["id"] == f"{BASE}/s/{world.summary}#create" and create["to"] == create["object"]["to"]
    for other in (world.bob, world.carol):  # a private summary and a draft
        assert fetch_json(client, f"/u/{other}/outbox")["totalItems"] == 0


def test_the_outbox_uses_the_id_of_the_create_we_sent(app, client, world):
    with app.app_context():
        alice = db.session.query(Actor).filter_by(public_id=world.alice).one()
        db.session.add(Activity(
            uri=f"{BASE}/activities/sent1", actor_id=alice.id, activity_type="Create",
            object_uri=f"{BASE}/s/{world.summary}", payload={},
        ))
        db.session.commit()
    [create] = fetch_json(client, f"/u/{world.alice}/outbox?page=1")["orderedItems"]
    assert create["id"] == f"{BASE}/activities/sent1"


def test_outbox_pages_hold_twenty_newest_first(app, client, world):
    with app.app_context():
        alice = db.session.query(Actor).filter_by(public_id=world.alice).one()
        for n in range(24):
            create_summary(alice, make_paper(f"Paper {n}", arxiv_id=f"2101.{n:05d}"), f"Summary {n}.", draft=False,
                           private=False)
        db.session.commit()
    url = f"{BASE}/u/{world.alice}/outbox"
    outbox = fetch_json(client, f"/u/{world.alice}/outbox")
    assert outbox["totalItems"] == 25 and outbox["last"] == f"{url}?page=2"
    first = fetch_json(client, f"/u/{world.alice}/outbox?page=1")
    assert len(first["orderedItems"]) == 20 and first["next"] == f"{url}?page=2" and "prev" not in first
    assert "Summary 23." in first["orderedItems"][0]["object"]["content"]
    second = fetch_json(client, f"/u/{world.alice}/outbox?page=2")
    assert len(second["orderedItems"]) == 5 and second["prev"] == f"{url}?page=1" and "next" not in second
    assert second["startIndex"] == 20
    ids = [item["object"]["id"] for item in first["orderedItems"] + second["orderedItems"]]
    assert len(set(ids)) == 25
    assert fetch(client, f"/u/{world.alice}/outbox?page=3").status_code == 404


def test_bad_page_arguments_answer_400(client, world):
    for bad in ("0", "-1", "x", "1.5", "99999999999"):
        assert fetch(client, f"/u/{world.alice}/outbox?page={bad}").status_code == 400


def test_followers_and_following_count_accepted_follows_only(client, world):
    url = f"{BASE}/u/{world.alice}/followers"
    followers = fetch_json(client, f"/u/{world.alice}/followers")
    assert followers["id"] == url and followers["totalItems"] == 1  # carol's request is pending
    page = fetch_json(client, f"/u/{world.alice}/followers?page=1")
    assert page["orderedItems"] == [f"{BASE}/u/{world.bob}"] and page["partOf"] == url
    following = fetch_json(client, f"/u/{world.alice}/following?page=1")
    assert following["orderedItems"] == [f"{BASE}/u/{world.carol}"] and following["totalItems"] == 1
    assert fetch_json(client, f"/u/{world.bob}/followers")["totalItems"] == 0


def test_followers_are_paged_by_twenty(app, client, world):
    from fediscience.db import utcnow
    from fediscience.federation.models import Follow

    with app.app_context():
        alice = db.session.query(Actor).filter_by(public_id=world.alice).one()
        for n in range(21):
            fan = Actor(username=f"fan{n}", local=False, domain="remote.example", uri=f"https://remote.example/u/{n}")
            db.session.add(fan)
            db.session.flush()
            db.session.add(Follow(follower_id=fan.id, followee_id=alice.id, state="accepted", accepted_at=utcnow()))
        db.session.commit()
    assert fetch_json(client, f"/u/{world.alice}/followers")["totalItems"] == 22
    first = fetch_json(client, f"/u/{world.alice}/followers?page=1")
    second = fetch_json(client, f"/u/{world.alice}/followers?page=2")
    assert len(first["orderedItems"]) == 20 and len(second["orderedItems"]) == 2
    assert "https://remote.example/u/20" in first["orderedItems"] + second["orderedItems"]


def test_replies_likes_and_shares_collections(client, world):
    base = f"{BASE}/s/{world.summary}"
    replies = fetch_json(client, f"/s/{world.summary}/replies")
    assert replies["id"] == f"{base}/replies" and replies["totalItems"] == 1
    page = fetch_json(client, f"/s/{world.summary}/replies?page=1")
    assert page["orderedItems"] == [f"{BASE}/c/{world.comment}"]
    likes = fetch_json(client, f"/s/{world.summary}/likes?page=1")
    assert likes["totalItems"] == 2 and len(likes["orderedItems"]) == 2
    voters = {item.split("#")[0] for item in likes["orderedItems"]}
    assert voters == {f"{BASE}/u/{world.bob}", f"{BASE}/u/{world.carol}"}
    assert all("#likes/" in item for item in likes["orderedItems"])
    shares = fetch_json(client, f"/s/{world.summary}/shares")
    assert shares["totalItems"] == 0 and shares["id"] == f"{base}/shares"
    comment_replies = fetch_json(client, f"/c/{world.comment}/replies?page=1")
    assert comment_replies["orderedItems"] == [f"{BASE}/c/{world.reply}"]


def test_replies_list_remote_comments_by_their_ids(app, client, world):
    from fediscience.comments.models import Comment
    from fediscience.summaries.models import Summary

    with app.app_context():
        summary = db.session.query(Summary).filter_by(public_id=world.summary).one()
        remote = Actor(username="zed", local=False, domain="m.example", uri="https://m.example/users/zed")
        db.session.add(remote)
        db.session.flush()
        db.session.add(Comment(summary_id=summary.id, author_id=remote.id, uri="https://m.example/statuses/1",
                               source="", html="<p>hi</p>"))
        db.session.commit()
    page = fetch_json(client, f"/s/{world.summary}/replies?page=1")
    assert page["orderedItems"] == [f"{BASE}/c/{world.comment}", "https://m.example/statuses/1"]


def test_the_paper_outbox_announces_its_public_summaries(client, world):
    url = f"{BASE}/p/{world.paper}"
    outbox = fetch_json(client, f"/p/{world.paper}/outbox")
    assert outbox["totalItems"] == 1
    [announce] = fetch_json(client, f"/p/{world.paper}/outbox?page=1")["orderedItems"]
    assert announce["type"] == "Announce" and announce["actor"] == url
    assert announce["object"] == f"{BASE}/s/{world.summary}"
    assert fetch_json(client, f"/p/{world.paper}/followers")["totalItems"] == 0
