"""Back-fill: when a remote account accepts our user's Follow, its outbox's recent summaries are stored."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import select

from fediscience.activitypub import AS_CONTEXT
from fediscience.db import db
from fediscience.federation.models import Follow
from fediscience.jobs.backfill import MAX_ITEMS
from fediscience.papers.models import Paper
from fediscience.summaries.models import Summary
from fediscience.users.models import Actor
from tests.federation_inbox.conftest import Local, Remote, RemoteServer, activity, count, deliver, process
from tests.federation_inbox.notes import reply_note, summary_note
from tests.helpers import make_paper


def _follow(app: Flask, alice: Local, remote: Remote, *, outbox: str | None) -> str:
    """Alice's pending Follow of the remote account (whose outbox we know)."""
    uri = f"http://localhost/activities/follow-{remote.path.rsplit('/', 1)[1]}"
    with app.app_context():
        followee = db.session.scalar(select(Actor).where(Actor.uri == remote.uri))
        followee.outbox_url = outbox
        db.session.add(Follow(follower_id=alice.actor_id, followee_id=followee.id, state="pending", uri=uri))
        make_paper("ShortScience")
        db.session.commit()
    return uri


def _create(remote: Remote, note: Any, key: str) -> dict[str, Any]:
    return {"id": f"{remote.uri}/activities/{key}", "type": "Create", "actor": remote.uri, "object": note,
            "to": ["https://www.w3.org/ns/activitystreams#Public"]}


def _serve(server: RemoteServer, path: str, doc: dict[str, Any]) -> str:
    url = server.base + path
    server.documents[path] = (200, {"@context": AS_CONTEXT, "id": url, **doc})
    return url


def _uris(app: Flask) -> set[str]:
    with app.app_context():
        return set(db.session.scalars(select(Summary.uri)))


def test_an_accepted_follow_back_fills_the_outbox_summaries(
    app: Flask, client: Any, remote_instance: RemoteServer, mallory: Remote, trent: Remote, alice: Local
) -> None:
    outbox_path, page_path = f"{mallory.path}/outbox", f"{mallory.path}/outbox?page=1"
    follow_uri = _follow(app, alice, mallory, outbox=remote_instance.base + outbox_path)
    embedded = summary_note(mallory, "1", {"arxiv": "1707.06684"})
    by_id = summary_note(mallory, "2", {"arxiv": "1512.03385", "title": "ResNet"})
    _serve(remote_instance, f"{mallory.path}/summaries/2", {k: v for k, v in by_id.items() if k != "id"})
    create_by_id = _serve(remote_instance, f"{mallory.path}/activities/2",
                          {"type": "Create", "actor": mallory.uri, "object": by_id["id"], "to": by_id["to"]})
    followers_only = summary_note(mallory, "3", {"arxiv": "1608.08967"}, to=[f"{mallory.uri}/followers"], cc=[])
    foreign = summary_note(mallory, "4", {"arxiv": "1608.08967"}, id="https://elsewhere.example/summaries/4")
    too_late = summary_note(mallory, "5", {"arxiv": "1608.08967"})
    items: list[Any] = [
        _create(mallory, embedded, "1"),
        create_by_id,
        _create(mallory, reply_note(mallory, "r", "http://localhost/s/unknown"), "r"),
        _create(mallory, followers_only, "3"),
        _create(mallory, foreign, "4"),
        _create(trent, summary_note(trent, "t", {"arxiv": "1608.08967"}), "t"),
        {"id": f"{mallory.uri}/activities/boost", "type": "Announce", "actor": mallory.uri, "object": embedded["id"]},
        "https://elsewhere.example/activities/7",
    ]
    items += [{"id": f"{mallory.uri}/activities/pad{i}", "type": "Announce", "actor": mallory.uri,
               "object": embedded["id"]} for i in range(MAX_ITEMS - len(items))]
    items.append(_create(mallory, too_late, "5"))
    _serve(remote_instance, page_path, {"type": "OrderedCollectionPage", "orderedItems": items})
    _serve(remote_instance, outbox_path, {"type": "OrderedCollection", "totalItems": len(items),
                                          "first": remote_instance.base + page_path})

    deliver(client, mallory, activity(mallory, "Accept", follow_uri))
    process(app)

    assert _uris(app) == {embedded["id"], by_id["id"]}
    assert remote_instance.gets(outbox_path) == 1 and remote_instance.gets(page_path) == 1
    with app.app_context():
        resnet = db.session.scalar(select(Paper).where(Paper.arxiv_id == "1512.03385"))
        assert resnet.title == "Deep Residual Learning for Image Recognition" and not resnet.provisional
        assert db.session.scalar(select(Follow.state)) == "accepted"

    deliver(client, mallory, activity(mallory, "Accept", follow_uri))  # already accepted: no second back-fill
    process(app)
    assert remote_instance.gets(outbox_path) == 1


def test_an_embedded_first_page_is_read_and_no_outbox_means_no_fetch(
    app: Flask, client: Any, remote_instance: RemoteServer, mallory: Remote, trent: Remote, alice: Local
) -> None:
    outbox_path = f"{mallory.path}/outbox"
    follow_mallory = _follow(app, alice, mallory, outbox=remote_instance.base + outbox_path)
    note = summary_note(mallory, "1", {"arxiv": "1707.06684"})
    _serve(remote_instance, outbox_path, {
        "type": "OrderedCollection", "first": {"type": "OrderedCollectionPage", "orderedItems": [_create(mallory, note, "1")]},
    })
    deliver(client, mallory, activity(mallory, "Accept", follow_mallory))
    process(app)
    assert _uris(app) == {note["id"]}

    uri = f"http://localhost/activities/follow-{trent.path.rsplit('/', 1)[1]}"
    with app.app_context():
        followee = db.session.scalar(select(Actor).where(Actor.uri == trent.uri))
        db.session.add(Follow(follower_id=alice.actor_id, followee_id=followee.id, state="pending", uri=uri))
        db.session.commit()
    before = len(remote_instance.requests)
    deliver(client, trent, activity(trent, "Accept", uri))
    process(app)
    assert remote_instance.requests[before:] == []
    assert count(app, Summary) == 1


def test_a_job_queued_inside_a_savepoint_starts_after_the_outer_commit(app: Flask) -> None:
    from fediscience.jobs.queue import enqueue_after_commit
    from tests.helpers import wait_for_jobs

    ran: list[str] = []
    with app.app_context():
        db.session.execute(select(1))
        with db.session.begin_nested():  # the back-fill stores a provisional paper's look-up like this
            enqueue_after_commit(ran.append, "job")
        with db.session.begin_nested():
            pass
        wait_for_jobs(app)
        assert ran == []  # released savepoints commit nothing: the job's rows are not visible yet
        db.session.commit()
    wait_for_jobs(app)
    assert ran == ["job"]
