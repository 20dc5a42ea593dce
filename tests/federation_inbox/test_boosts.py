"""Announce (boost) of our public summaries and its Undo, shaped as Mastodon 4.2–4.4 sends them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from fediscience.activitypub import AS_CONTEXT, PUBLIC
from fediscience.boosts.models import Boost
from fediscience.boosts.services import record_boost
from fediscience.comments.services import add_comment
from fediscience.db import db
from fediscience.errors import Conflict
from fediscience.federation.models import Notification
from fediscience.summaries.models import Summary
from fediscience.summaries.services import create_summary
from fediscience.users.models import Actor
from tests.federation_inbox.conftest import Local, Remote, count, deliver, process
from tests.federation_inbox.notes import statuses
from tests.helpers import login, make_paper

AS_ACCEPT = "application/activity+json"


@dataclass
class Target:
    """Alice's public summary (and a comment on it)."""

    public_id: str
    url: str
    comment_url: str


@pytest.fixture
def target(app: Flask, alice: Local) -> Target:
    with app.app_context():
        author = db.session.get(Actor, alice.actor_id)
        summary = create_summary(author, make_paper("Robustness of classifiers"), "Short and *sweet*.",
                                 draft=False, private=False)
        comment = add_comment(author, summary, "A note of mine.")
        db.session.commit()
        return Target(summary.public_id, f"http://localhost/s/{summary.public_id}",
                      f"http://localhost/c/{comment.public_id}")


_status = 1000


def announce(remote: Remote, obj: Any, *, author: str | None = None) -> dict[str, Any]:
    """An Announce as Mastodon sends it (announce_serializer: the status' activity id, Public, the author in cc)."""
    global _status
    _status += 1
    return {
        "@context": AS_CONTEXT, "id": f"{remote.uri}/statuses/{_status}/activity", "type": "Announce",
        "actor": remote.uri, "published": "2025-06-03T10:00:00Z", "to": [PUBLIC],
        "cc": [author or "http://localhost/u/x", f"{remote.uri}/followers"], "object": obj,
    }


def undo(remote: Remote, announced: dict[str, Any]) -> dict[str, Any]:
    """Mastodon's Undo of a boost: the Announce embedded."""
    inner = {key: value for key, value in announced.items() if key != "@context"}
    status_id = announced["id"].rsplit("/", 2)[-2]
    return {
        "@context": AS_CONTEXT, "id": f"{remote.uri}#announces/{status_id}/undo", "type": "Undo",
        "actor": remote.uri, "to": [PUBLIC], "object": inner,
    }


def _boosts(app: Flask) -> list[tuple[str, str]]:
    with app.app_context():
        rows = db.session.execute(select(Actor.uri, Boost.uri).join(Actor, Boost.actor_id == Actor.id))
        return sorted((actor, uri) for actor, uri in rows)


def _shares(client: Any, target: Target) -> dict[str, Any]:
    response = client.get(f"/s/{target.public_id}/shares?page=1", headers={"Accept": AS_ACCEPT})
    assert response.status_code == 200
    return json.loads(response.get_data(as_text=True))


def _boost_notifications(app: Flask, alice: Local) -> list[str]:
    with app.app_context():
        query = select(Actor.uri).join(Notification, Notification.from_actor_id == Actor.id).where(
            Notification.recipient_id == alice.actor_id, Notification.kind == "boost"
        )
        return list(db.session.scalars(query))


def test_a_mastodon_boost_is_counted_listed_shown_and_notified(
    app: Flask, client: Any, mallory: Remote, alice: Local, target: Target
) -> None:
    boost = announce(mallory, target.url, author=alice.url)
    assert deliver(client, mallory, boost).status_code == 202
    assert deliver(client, mallory, boost).status_code == 202  # a duplicate delivery: one boost
    process(app)
    assert _boosts(app) == [(mallory.uri, boost["id"])]
    assert _boost_notifications(app, alice) == [mallory.uri]
    shares = _shares(client, target)
    assert shares["totalItems"] == 1 and shares["orderedItems"] == [boost["id"]]
    note = json.loads(client.get(f"/s/{target.public_id}", headers={"Accept": AS_ACCEPT}).get_data(as_text=True))
    assert note["shares"]["totalItems"] == 1  # what Mastodon 4.3+ shows as the reblog count
    assert '<span class="boosts"' in client.get(f"/s/{target.public_id}").get_data(as_text=True)
    assert "1 boost<" in client.get(f"/s/{target.public_id}").get_data(as_text=True)
    login(client, "alice")
    page = client.get("/notifications").get_data(as_text=True)
    assert "boosted your summary of" in page and "Robustness of classifiers" in page


def test_undo_removes_the_boost_and_its_notification(
    app: Flask, client: Any, mallory: Remote, trent: Remote, alice: Local, target: Target
) -> None:
    boost = announce(mallory, target.url, author=alice.url)
    deliver(client, mallory, boost)
    deliver(client, trent, announce(trent, target.url, author=alice.url))
    process(app)
    assert count(app, Boost) == 2
    deliver(client, mallory, undo(mallory, boost))
    process(app)
    assert [actor for actor, _ in _boosts(app)] == [trent.uri]
    assert _boost_notifications(app, alice) == [trent.uri]
    assert _shares(client, target)["totalItems"] == 1
    assert "1 boost<" in client.get(f"/s/{target.public_id}").get_data(as_text=True)
    assert statuses(app) == ["done", "done", "done"]


def test_an_undo_with_a_bare_id_is_recalled(
    app: Flask, client: Any, mallory: Remote, alice: Local, target: Target
) -> None:
    boost = announce(mallory, target.url)
    deliver(client, mallory, boost)
    process(app)
    bare = undo(mallory, boost) | {"object": boost["id"]}
    deliver(client, mallory, bare)
    process(app)
    assert count(app, Boost) == 0
    assert statuses(app) == ["done", "done"]


def test_an_embedded_object_is_boosted_too(app: Flask, client: Any, mallory: Remote, target: Target) -> None:
    note = {"id": target.url, "type": "Note", "attributedTo": "http://localhost/u/x", "content": "<p>x</p>"}
    boost = announce(mallory, note)
    deliver(client, mallory, boost)
    process(app)
    assert _boosts(app) == [(mallory.uri, boost["id"])]


def test_a_second_announce_keeps_one_boost_under_the_new_id(
    app: Flask, client: Any, mallory: Remote, alice: Local, target: Target
) -> None:
    first, second = announce(mallory, target.url), announce(mallory, target.url)
    deliver(client, mallory, first)
    process(app)
    deliver(client, mallory, second)
    process(app)
    assert _boosts(app) == [(mallory.uri, second["id"])]
    assert _boost_notifications(app, alice) == [mallory.uri]  # told once
    deliver(client, mallory, undo(mallory, first))  # the replaced Announce: nothing to undo any more
    process(app)
    assert count(app, Boost) == 1
    deliver(client, mallory, undo(mallory, second))
    process(app)
    assert count(app, Boost) == 0
    assert statuses(app) == ["done", "done", "ignored", "done"]


def test_only_the_booster_can_undo_a_boost(
    app: Flask, client: Any, mallory: Remote, trent: Remote, target: Target
) -> None:
    boost = announce(mallory, target.url)
    deliver(client, mallory, boost)
    process(app)
    forged = undo(trent, boost | {"actor": trent.uri})
    forged["object"]["id"] = boost["id"]
    deliver(client, trent, forged)
    process(app)
    assert count(app, Boost) == 1
    assert statuses(app) == ["done", "rejected"]


def test_announces_of_what_is_not_a_public_summary_of_ours_are_ignored(
    app: Flask, client: Any, mallory: Remote, target: Target
) -> None:
    with app.app_context():
        paper = make_paper("Another paper", arxiv_id="1512.03385")
        author = db.session.scalar(select(Actor).where(Actor.local, Actor.username == "alice"))
        private = create_summary(author, paper, "Mine only.", draft=False, private=True)
        db.session.commit()
        private_url = f"http://localhost/s/{private.public_id}"
    for obj in (private_url, "http://localhost/s/nosuchsummary", target.comment_url,
                "https://elsewhere.example/statuses/1", f"{mallory.uri}/statuses/9"):
        deliver(client, mallory, announce(mallory, obj))
    process(app)
    assert count(app, Boost) == 0
    assert statuses(app) == ["ignored"] * 5
    assert _shares(client, target)["totalItems"] == 0


def test_record_boost_is_idempotent_on_the_announce_id(app: Flask, mallory: Remote, target: Target) -> None:
    with app.app_context():
        booster = db.session.scalar(select(Actor).where(Actor.uri == mallory.uri))
        summary = db.session.scalar(select(Summary).where(Summary.public_id == target.public_id))
        first = record_boost(booster, summary, f"{mallory.uri}/statuses/1/activity")
        again = record_boost(booster, summary, f"{mallory.uri}/statuses/1/activity")
        db.session.commit()
        assert (first[1], again[1]) == (True, False) and first[0].id == again[0].id
        other = Actor(local=False, username="eve", domain="e.example", uri="https://e.example/users/eve")
        db.session.add(other)
        db.session.flush()
        with pytest.raises(Conflict):  # an Announce id stands for one boost only
            record_boost(other, summary, f"{mallory.uri}/statuses/1/activity")
        db.session.rollback()
    assert count(app, Boost) == 1


def test_a_deleted_account_loses_its_boosts(
    app: Flask, client: Any, mallory: Remote, trent: Remote, alice: Local, target: Target
) -> None:
    deliver(client, mallory, announce(mallory, target.url))
    deliver(client, trent, announce(trent, target.url))
    process(app)
    gone = {"@context": AS_CONTEXT, "id": f"{mallory.uri}#delete", "type": "Delete", "actor": mallory.uri,
            "to": [PUBLIC], "object": mallory.uri}  # Mastodon's account deletion
    deliver(client, mallory, gone)
    process(app)
    assert [actor for actor, _ in _boosts(app)] == [trent.uri]
    assert _shares(client, target)["totalItems"] == 1
