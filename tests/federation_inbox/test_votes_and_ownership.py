"""Like / Dislike / Undo change a summary's score; ownership violations change nothing."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from fediscience.db import db
from fediscience.federation.models import InboxItem
from fediscience.summaries.models import Summary
from fediscience.summaries.services import create_summary
from fediscience.users.models import Actor
from fediscience.votes.models import Vote
from tests.federation_inbox.conftest import Local, Remote, activity, count, deliver, process
from tests.helpers import make_paper


@pytest.fixture
def summary_url(app: Flask, alice: Local) -> str:
    """Alice's public summary."""
    with app.app_context():
        paper = make_paper("Robustness of classifiers")
        summary = create_summary(db.session.get(Actor, alice.actor_id), paper, "Short and *sweet*.",
                                 draft=False, private=False)
        db.session.commit()
        return f"http://localhost/s/{summary.public_id}"


def _score(app: Flask) -> tuple[int, int, int]:
    with app.app_context():
        summary = db.session.scalar(select(Summary))
        return summary.score, summary.upvotes, summary.downvotes


def _statuses(app: Flask) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(InboxItem.status).order_by(InboxItem.id)))


def test_like_dislike_and_undo_change_the_score(
    app: Flask, client: Any, mallory: Remote, trent: Remote, summary_url: str
) -> None:
    like = activity(mallory, "Like", summary_url)
    assert deliver(client, mallory, like).status_code == 202
    assert deliver(client, mallory, like).status_code == 202  # a duplicate: one effect
    deliver(client, trent, activity(trent, "Like", summary_url))
    process(app)
    assert _score(app) == (2, 2, 0)
    with app.app_context():
        assert db.session.scalar(select(Vote.uri).join(Actor).where(Actor.uri == mallory.uri)) == like["id"]

    deliver(client, mallory, activity(mallory, "Undo", like))
    process(app)  # in order, as the sender sends them (jobs run in parallel)
    assert _score(app) == (1, 1, 0)
    dislike = activity(mallory, "Dislike", summary_url)
    deliver(client, mallory, dislike)
    process(app)
    assert _score(app) == (0, 1, 1)

    deliver(client, mallory, activity(mallory, "Undo", dislike["id"]))  # a bare id: recalled from the inbox
    process(app)
    assert _score(app) == (1, 1, 0)
    assert count(app, Vote) == 1


def test_undo_of_a_like_without_its_id_matches_actor_and_summary(
    app: Flask, client: Any, mallory: Remote, summary_url: str
) -> None:
    deliver(client, mallory, activity(mallory, "Like", summary_url))
    process(app)
    stale = {"id": f"{mallory.uri}#likes/forgotten", "type": "Like", "actor": mallory.uri, "object": summary_url}
    deliver(client, mallory, activity(mallory, "Undo", stale | {"type": "Dislike"}))  # wrong sign: no match
    process(app)
    assert _score(app) == (1, 1, 0)
    stale["id"] += "-2"
    assert _score(app) == (1, 1, 0)
    deliver(client, mallory, activity(mallory, "Undo", stale))
    process(app)
    assert _score(app) == (0, 0, 0)


def test_only_the_voter_can_undo_a_vote(app: Flask, client: Any, mallory: Remote, trent: Remote, summary_url: str) -> None:
    like = activity(mallory, "Like", summary_url)
    deliver(client, mallory, like)
    process(app)
    deliver(client, trent, activity(trent, "Undo", like | {"actor": trent.uri}))
    process(app)
    assert _score(app) == (1, 1, 0)
    assert _statuses(app) == ["done", "rejected"]


def test_votes_on_what_is_not_a_public_summary_of_ours_are_ignored(
    app: Flask, client: Any, mallory: Remote, summary_url: str
) -> None:
    with app.app_context():
        db.session.scalar(select(Summary)).is_private = True
        db.session.commit()
    deliver(client, mallory, activity(mallory, "Like", summary_url))
    process(app)
    deliver(client, mallory, activity(mallory, "Like", "http://localhost/s/nosuchsummary"))
    process(app)
    deliver(client, mallory, activity(mallory, "Dislike", "https://elsewhere.example/s/1"))
    process(app)
    assert count(app, Vote) == 0
    assert _statuses(app) == ["ignored", "ignored", "ignored"]


def test_ownership_violations_change_nothing(
    app: Flask, client: Any, mallory: Remote, trent: Remote, alice: Local, summary_url: str
) -> None:
    deliver(client, trent, activity(trent, "Like", summary_url))
    deliver(client, trent, activity(trent, "Follow", alice.url))
    process(app)
    before = (_score(app), count(app, Vote))
    note = {"type": "Note", "content": "<p>hi</p>", "inReplyTo": summary_url}
    violations = [
        activity(mallory, "Create", note | {"id": "https://elsewhere.example/notes/1", "attributedTo": mallory.uri}),
        activity(mallory, "Create", note | {"id": f"{mallory.uri}/notes/2", "attributedTo": trent.uri}),
        activity(mallory, "Update", note | {"id": f"{trent.uri}/notes/3", "attributedTo": trent.uri}),
        activity(mallory, "Update", note | {"id": f"{mallory.uri}/notes/4"}),
        activity(mallory, "Update", note | {"id": "https://elsewhere.example/notes/5", "attributedTo": mallory.uri}),
        activity(mallory, "Delete", "https://elsewhere.example/notes/6"),
        activity(mallory, "Delete", trent.uri),
        activity(mallory, "Update", {"id": trent.uri, "type": "Person", "preferredUsername": "trent"}),
    ]
    for violation in violations:
        assert deliver(client, mallory, violation).status_code == 202
    process(app)
    assert _statuses(app)[2:] == ["rejected"] * len(violations)
    assert (_score(app), count(app, Vote)) == before
    with app.app_context():
        errors = list(db.session.scalars(select(InboxItem.error).where(InboxItem.status == "rejected")))
    assert all(errors)


def test_unknown_types_are_ignored(app: Flask, client: Any, mallory: Remote, summary_url: str) -> None:
    deliver(client, mallory, activity(mallory, "Move", summary_url))
    process(app)
    deliver(client, mallory, activity(mallory, "Undo", "https://elsewhere.example/nothing-we-know"))
    process(app)
    assert _statuses(app) == ["ignored", "ignored"]
