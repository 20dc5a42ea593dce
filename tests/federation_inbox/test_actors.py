"""The signer's key fetched from a real server, key rotation, and Delete of an actor (acts only when proven)."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from fediscience.comments.models import Comment
from fediscience.db import db
from fediscience.federation.models import Follow, InboxItem, Notification
from fediscience.summaries.models import Summary
from fediscience.summaries.services import create_summary
from fediscience.users.models import Actor
from fediscience.votes.models import Vote
from fediscience.votes.services import cast_vote
from tests.federation_inbox.conftest import (
    Local, Remote, RemoteServer, activity, count, deliver, make_remote, process,
)
from tests.helpers import make_paper


def test_an_unknown_signer_is_fetched_from_its_server_and_cached(
    app: Flask, client: Any, remote_instance: RemoteServer, key_pairs: list[Any], alice: Local
) -> None:
    with app.app_context():
        newcomer = make_remote(remote_instance, "newcomer", key_pairs[2], store=False)

    assert deliver(client, newcomer, activity(newcomer, "Follow", alice.url)).status_code == 202
    assert remote_instance.gets(newcomer.path) == 1
    assert deliver(client, newcomer, activity(newcomer, "Follow", alice.url)).status_code == 202
    assert remote_instance.gets(newcomer.path) == 1  # the second one used the cached key
    process(app)
    with app.app_context():
        actor = db.session.scalar(select(Actor).where(Actor.uri == newcomer.uri))
        assert actor is not None and actor.public_key_pem.strip() == newcomer.key.public_pem.strip()
        assert db.session.scalar(select(Follow.state)) == "accepted"


def test_a_rotated_key_is_refetched_once(
    app: Flask, client: Any, mallory: Remote, remote_instance: RemoteServer, key_pairs: list[Any], alice: Local
) -> None:
    remote_instance.documents[mallory.path] = (200, mallory.document(key_pairs[3]))

    response = deliver(client, mallory, activity(mallory, "Follow", alice.url), key=key_pairs[3])

    assert response.status_code == 202
    assert remote_instance.gets(mallory.path) == 1
    with app.app_context():
        stored = db.session.scalar(select(Actor.public_key_pem).where(Actor.uri == mallory.uri))
        assert stored.strip() == key_pairs[3].public_pem.strip()


def test_a_cached_key_answers_without_any_fetch(
    app: Flask, client: Any, mallory: Remote, remote_instance: RemoteServer, alice: Local
) -> None:
    assert deliver(client, mallory, activity(mallory, "Follow", alice.url)).status_code == 202
    assert remote_instance.requests == []


@pytest.fixture
def mallorys_traces(app: Flask, alice: Local, mallory: Remote) -> dict[str, int]:
    """Mallory's comments (one with a local reply) and vote on alice's summary, a follow of alice, a summary of
    mallory's own and a mention of alice."""
    with app.app_context():
        author = db.session.get(Actor, alice.actor_id)
        remote = db.session.scalar(select(Actor).where(Actor.uri == mallory.uri))
        summary = create_summary(author, make_paper("A paper"), "Text.", draft=False, private=False)
        cast_vote(remote, summary, 1)
        answered = Comment(summary_id=summary.id, author_id=remote.id, source="first", html="<p>first</p>",
                           uri=f"{mallory.uri}/notes/1")
        alone = Comment(summary_id=summary.id, author_id=remote.id, source="second", html="<p>second</p>",
                        uri=f"{mallory.uri}/notes/2")
        db.session.add_all([answered, alone])
        db.session.flush()
        db.session.add(Comment(summary_id=summary.id, author_id=author.id, parent_id=answered.id, source="reply",
                               html="<p>reply</p>"))
        db.session.add(Follow(follower_id=remote.id, followee_id=author.id, state="accepted"))
        theirs = Summary(paper=make_paper("Their paper", arxiv_id="2101.00002"), author=remote, source="Theirs.",
                         html="<p>Theirs.</p>", uri=f"{mallory.uri}/notes/3", share_token="t", is_draft=False,
                         is_private=False)
        db.session.add(theirs)
        db.session.add(Notification(recipient_id=author.id, kind="mention", from_actor_id=remote.id,
                                    object_uri=f"{mallory.uri}/notes/4", excerpt="Hi."))
        db.session.commit()
        return {"answered": answered.id, "alone": alone.id, "summary": summary.id}


def _traces(app: Flask, ids: dict[str, int]) -> tuple[Any, ...]:
    with app.app_context():
        answered = db.session.get(Comment, ids["answered"])
        summary = db.session.get(Summary, ids["summary"])
        return (
            answered is not None and answered.deleted_at is not None and answered.html == "",
            db.session.get(Comment, ids["alone"]) is None,
            count(app, Vote), summary.score, count(app, Follow), count(app, Comment),
            count(app, Summary), count(app, Notification, Notification.from_actor_id.is_not(None)),
        )


def test_delete_of_an_actor_with_its_cached_key_removes_its_traces(
    app: Flask, client: Any, mallory: Remote, mallorys_traces: dict[str, int]
) -> None:
    assert _traces(app, mallorys_traces) == (False, False, 1, 1, 1, 3, 2, 1)
    response = deliver(client, mallory, activity(mallory, "Delete", mallory.uri))
    assert response.status_code == 202
    process(app)
    assert _traces(app, mallorys_traces) == (True, True, 0, 0, 0, 2, 1, 0)


def test_delete_of_an_unknown_actor_is_dropped_without_fetching(
    app: Flask, client: Any, remote_instance: RemoteServer, key_pairs: list[Any]
) -> None:
    with app.app_context():
        ghost = make_remote(remote_instance, "ghost", key_pairs[2], store=False)
    response = deliver(client, ghost, activity(ghost, "Delete", ghost.uri))
    assert response.status_code == 202
    assert remote_instance.requests == []
    assert count(app, InboxItem) == 0


def test_delete_of_an_actor_that_does_not_verify_and_still_exists_is_dropped(
    app: Flask, client: Any, mallory: Remote, key_pairs: list[Any], remote_instance: RemoteServer,
    mallorys_traces: dict[str, int],
) -> None:
    response = deliver(client, mallory, activity(mallory, "Delete", mallory.uri), key=key_pairs[3])
    assert response.status_code == 202
    assert remote_instance.gets(mallory.path) == 1
    process(app)
    assert count(app, InboxItem) == 0
    assert _traces(app, mallorys_traces) == (False, False, 1, 1, 1, 3, 2, 1)


def test_delete_of_an_actor_that_does_not_verify_but_is_gone_acts(
    app: Flask, client: Any, mallory: Remote, key_pairs: list[Any], remote_instance: RemoteServer,
    mallorys_traces: dict[str, int],
) -> None:
    remote_instance.documents[mallory.path] = (410, {"type": "Tombstone"})
    response = deliver(client, mallory, activity(mallory, "Delete", mallory.uri), key=key_pairs[3])
    assert response.status_code == 202
    process(app)
    assert count(app, InboxItem) == 1
    assert _traces(app, mallorys_traces) == (True, True, 0, 0, 0, 2, 1, 0)


def test_delete_of_an_actor_signed_with_someone_elses_key_is_refused(
    app: Flask, client: Any, mallory: Remote, trent: Remote, mallorys_traces: dict[str, int]
) -> None:
    response = deliver(client, mallory, activity(mallory, "Delete", mallory.uri), key=trent.key, key_id=trent.key_id)
    assert response.status_code == 401
    assert count(app, InboxItem) == 0
