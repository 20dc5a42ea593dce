"""Shares (boosts), and the replies / likes / shares of comments: totals, inline first pages, remote ids."""

from __future__ import annotations

from datetime import timedelta

from fediscience.boosts.models import Boost
from fediscience.comments.models import Comment
from fediscience.comments.services import add_comment
from fediscience.db import db, utcnow
from fediscience.summaries.models import Summary
from fediscience.users.models import Actor
from tests.federation_serve.conftest import BASE, fetch, fetch_json


def _remote(n: int) -> Actor:
    actor = Actor(username=f"fan{n}", local=False, domain="m.example", uri=f"https://m.example/users/fan{n}")
    db.session.add(actor)
    db.session.flush()
    return actor


def _summary(public_id: str) -> Summary:
    return db.session.query(Summary).filter_by(public_id=public_id).one()


def _comment(public_id: str) -> Comment:
    return db.session.query(Comment).filter_by(public_id=public_id).one()


def test_shares_list_the_announce_ids_newest_first_paged_by_twenty(app, client, world):
    start = utcnow()
    with app.app_context():
        summary = _summary(world.summary)
        for n in range(21):
            db.session.add(Boost(summary_id=summary.id, actor_id=_remote(n).id, created_at=start + timedelta(seconds=n),
                                 uri=f"https://m.example/users/fan{n}/statuses/{n}/activity"))
        db.session.commit()
    url = f"{BASE}/s/{world.summary}/shares"
    shares = fetch_json(client, f"/s/{world.summary}/shares")
    assert shares["id"] == url and shares["totalItems"] == 21 and shares["last"] == f"{url}?page=2"
    first = fetch_json(client, f"/s/{world.summary}/shares?page=1")
    assert len(first["orderedItems"]) == 20 and first["next"] == f"{url}?page=2" and first["partOf"] == url
    assert first["orderedItems"][0] == "https://m.example/users/fan20/statuses/20/activity"
    second = fetch_json(client, f"/s/{world.summary}/shares?page=2")
    assert second["orderedItems"] == ["https://m.example/users/fan0/statuses/0/activity"]
    assert fetch(client, f"/s/{world.summary}/shares?page=3").status_code == 404
    note = fetch_json(client, f"/s/{world.summary}")
    assert note["shares"] == {"id": url, "type": "OrderedCollection", "totalItems": 21}


def test_shares_of_private_or_unknown_summaries_answer_404(client, world):
    for public_id in (world.private, world.draft, "nosuchsummary"):
        assert fetch(client, f"/s/{public_id}/shares").status_code == 404


def test_a_comment_note_has_replies_likes_and_shares(client, world):
    url = f"{BASE}/c/{world.comment}"
    note = fetch_json(client, f"/c/{world.comment}")
    assert note["likes"] == {"id": f"{url}/likes", "type": "OrderedCollection", "totalItems": 0}
    assert note["shares"] == {"id": f"{url}/shares", "type": "OrderedCollection", "totalItems": 0}
    assert note["replies"]["id"] == f"{url}/replies" and note["replies"]["totalItems"] == 1
    for name in ("likes", "shares"):
        served = fetch_json(client, f"/c/{world.comment}/{name}")
        assert served["id"] == f"{url}/{name}" and served["totalItems"] == 0
        assert fetch_json(client, f"/c/{world.comment}/{name}?page=1")["orderedItems"] == []


def test_the_first_five_replies_are_inline_then_paged(app, client, world):
    with app.app_context():
        summary, parent = _summary(world.summary), _comment(world.comment)
        alice = summary.author
        local = [add_comment(alice, summary, f"Reply {n}.", parent=parent) for n in range(4)]
        fan = _remote(1)
        for n in range(2):  # Mastodon replies to bob's comment, stored under their own ids
            db.session.add(Comment(summary_id=summary.id, parent_id=parent.id, author_id=fan.id, source="",
                                   html=f"<p>{n}</p>", uri=f"https://m.example/users/fan1/statuses/{n}",
                                   created_at=utcnow() + timedelta(seconds=10 + n)))
        db.session.commit()
        local_ids = [f"{BASE}/c/{comment.public_id}" for comment in local]
    url = f"{BASE}/c/{world.comment}/replies"
    remote_ids = [f"https://m.example/users/fan1/statuses/{n}" for n in range(2)]
    expected = [f"{BASE}/c/{world.reply}", *local_ids, *remote_ids]
    replies = fetch_json(client, f"/c/{world.comment}")["replies"]
    assert replies["totalItems"] == 7 and replies["first"]["orderedItems"] == expected[:5]
    assert replies["first"]["next"] == f"{url}?page=2" and "@context" not in replies["first"]
    assert fetch_json(client, f"/c/{world.comment}/replies?page=1")["orderedItems"] == expected[:5]
    assert fetch_json(client, f"/c/{world.comment}/replies?page=2")["orderedItems"] == expected[5:]
    collection = fetch_json(client, f"/c/{world.comment}/replies")
    assert collection["first"] == f"{url}?page=1" and collection["last"] == f"{url}?page=2"


def test_remote_comments_have_no_collections_here(app, client, world):
    with app.app_context():
        summary = _summary(world.summary)
        remote = Comment(summary_id=summary.id, author_id=_remote(2).id, source="", html="<p>hi</p>",
                         uri="https://m.example/users/fan2/statuses/7")
        db.session.add(remote)
        db.session.commit()
        public_id = remote.public_id
    for name in ("replies", "likes", "shares"):
        assert fetch(client, f"/c/{public_id}/{name}").status_code == 404
    assert fetch(client, "/c/nosuchcomment/likes").status_code == 404
