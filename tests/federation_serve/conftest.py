"""A small world to serve: users with profiles, a paper with identifiers, summaries, comments, votes, follows."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from fediscience.comments.services import add_comment
from fediscience.db import db, utcnow
from fediscience.federation.models import Follow
from fediscience.summaries.services import create_summary
from fediscience.users.models import Actor, User
from fediscience.users.passwords import hash_password
from fediscience.votes.services import cast_vote
from tests.helpers import PASSWORD, make_paper

AS_ACCEPT = (  # what Mastodon sends when it looks a URL up
    'application/activity+json, application/ld+json; profile="https://www.w3.org/ns/activitystreams", text/html;q=0.1'
)
BASE = "http://localhost"
IMAGES = "".join(f"![Figure {n}](https://img.example/fig{n}.png)\n\n" for n in range(1, 6))
SUMMARY_SOURCE = "We minimise $L = \\sum_i (y_i - \\hat{y}_i)^2$ over **all** inputs.\n\n" + IMAGES


@dataclass
class World:
    """Public ids of what the fixture stored."""

    alice: str
    bob: str
    carol: str
    paper: str
    summary: str
    private: str
    draft: str
    comment: str
    reply: str


def fetch(client: FlaskClient, path: str, accept: str = AS_ACCEPT) -> Any:
    """GET a path asking for ActivityStreams JSON."""
    return client.get(path, headers={"Accept": accept})


def fetch_json(client: FlaskClient, path: str) -> dict[str, Any]:
    """GET an ActivityStreams document, checking the status and the content type."""
    response = fetch(client, path)
    assert response.status_code == 200, (path, response.status_code, response.get_data(as_text=True)[:500])
    assert response.mimetype == "application/activity+json"
    return json.loads(response.get_data(as_text=True))


@functools.cache
def _password_hash() -> str:
    return hash_password(PASSWORD)  # Argon2 costs half a second: hash once per session


def make_user(username: str) -> User:
    """A local user (password PASSWORD) without keys; they are made when the actor is first fetched."""
    actor = Actor(local=True, username=username, display_name=username)
    user = User(actor=actor, username_key=username, email=f"{username}@example.org", password_hash=_password_hash())
    db.session.add(user)
    db.session.flush()
    return user


def _users() -> tuple[Any, Any, Any]:
    alice, bob, carol = make_user("alice"), make_user("bob"), make_user("carol")
    alice.actor.display_name, alice.actor.bio = "Alice Liddell", "Machine learning <3\nand maths.\n\nSecond paragraph."
    alice.orcid, alice.website = "0000-0002-1825-0097", "https://alice.example/"
    alice.actor.avatar_url = f"{BASE}/media/avatars/abc.png"
    return alice.actor, bob.actor, carol.actor


def build_world() -> World:
    """Store the world (inside an app context) and commit it."""
    alice, bob, carol = _users()
    paper = make_paper(
        "Attention & Robustness", keywords=["cs.LG", "graph neural networks", "stat.ML", "2023"],
        doi="10.1000/xyz123", dblp_key="journals/corr/abs-1707-06684", venue="NeurIPS", year=2017,
    )
    summary = create_summary(alice, paper, SUMMARY_SOURCE, draft=False, private=False)
    private = create_summary(bob, paper, "A private one.", draft=False, private=True)
    draft = create_summary(carol, paper, "A draft.", draft=True, private=False)
    comment = add_comment(bob, summary, "Nice, but what about $x^2$?")
    reply = add_comment(alice, summary, "Good point.", parent=comment)
    cast_vote(bob, summary, 1)
    cast_vote(carol, summary, 1)
    db.session.add(Follow(follower_id=bob.id, followee_id=alice.id, state="accepted", accepted_at=utcnow()))
    db.session.add(Follow(follower_id=carol.id, followee_id=alice.id, state="pending"))
    db.session.add(Follow(follower_id=alice.id, followee_id=carol.id, state="accepted", accepted_at=utcnow()))
    db.session.commit()
    return World(
        alice=alice.public_id, bob=bob.public_id, carol=carol.public_id, paper=paper.public_id,
        summary=summary.public_id, private=private.public_id, draft=draft.public_id,
        comment=comment.public_id, reply=reply.public_id,
    )


@pytest.fixture
def world(app: Flask) -> World:
    """The stored world's public ids."""
    with app.app_context():
        return build_world()
