"""Votes: +1/-1 on other people's summaries, one per actor, changeable; summaries ranked by score."""

from __future__ import annotations

from sqlalchemy import func, select

from fediscience.db import db
from fediscience.summaries.models import Summary
from fediscience.votes.models import Vote
from tests.helpers import post_form, register
from tests.web.test_summaries import summary_id, write


def score(app) -> tuple[int, int, int]:
    with app.app_context():
        summary = db.session.scalar(select(Summary))
        return summary.score, summary.upvotes, summary.downvotes


def test_vote_change_and_withdraw(app, alice, bob, paper_id):
    write(alice, paper_id)
    public_id = summary_id(app)
    assert post_form(bob, f"/s/{public_id}/vote", {"value": "1"}).status_code == 302
    assert score(app) == (1, 1, 0)
    post_form(bob, f"/s/{public_id}/vote", {"value": "-1"})
    assert score(app) == (-1, 0, 1)
    post_form(bob, f"/s/{public_id}/vote", {"value": "-1"})  # the same vote again withdraws it
    assert score(app) == (0, 0, 0)
    with app.app_context():
        assert db.session.scalar(select(func.count(Vote.id))) == 0


def test_one_vote_per_actor(app, alice, bob, paper_id):
    write(alice, paper_id)
    public_id = summary_id(app)
    post_form(bob, f"/s/{public_id}/vote", {"value": "1"})
    post_form(bob, f"/s/{public_id}/vote", {"value": "+1"}) and post_form(bob, f"/s/{public_id}/vote", {"value": "1"})
    with app.app_context():
        assert db.session.scalar(select(func.count(Vote.id))) == 1
    assert score(app)[0] == 1


def test_no_vote_on_ones_own_summary_and_no_bad_values(app, alice, bob, paper_id):
    write(alice, paper_id)
    public_id = summary_id(app)
    assert post_form(alice, f"/s/{public_id}/vote", {"value": "1"}).status_code == 403
    assert post_form(bob, f"/s/{public_id}/vote", {"value": "5"}).status_code == 400
    assert post_form(bob, f"/s/{public_id}/vote", {}).status_code == 400
    assert bob.post(f"/s/{public_id}/vote", data={"value": "1"}).status_code == 400  # no CSRF token
    assert score(app) == (0, 0, 0)


def test_the_paper_page_ranks_summaries_by_score(app, alice, bob, paper_id):
    write(alice, paper_id, source="Alice wrote this.")
    write(bob, paper_id, source="Bob wrote this.")
    carol = app.test_client()
    register(carol, "carol")
    with app.app_context():
        bob_summary = db.session.scalar(select(Summary.public_id).where(Summary.source == "Bob wrote this."))
    post_form(carol, f"/s/{bob_summary}/vote", {"value": "1"})
    page = carol.get(f"/p/{paper_id}").get_data(as_text=True)
    assert page.index("Bob wrote this.") < page.index("Alice wrote this.")


def test_sciscore_is_upvotes_per_public_summary(app, alice, bob, paper_id):
    write(alice, paper_id)
    post_form(bob, f"/s/{summary_id(app)}/vote", {"value": "1"})
    profile = bob.get("/@alice", follow_redirects=True).get_data(as_text=True)
    assert "sciscore: <strong>1.0</strong>" in profile


def test_a_rolled_back_vote_leaves_nothing(app, alice, bob, paper_id):
    """The first vote is inserted without a savepoint: on SQLite, releasing one would have committed it early."""
    write(alice, paper_id)
    with app.app_context():
        from fediscience.users.models import Actor
        from fediscience.votes.services import cast_vote

        voter = db.session.scalar(select(Actor).where(Actor.username == "bob"))
        cast_vote(voter, db.session.scalar(select(Summary)), 1)
        db.session.rollback()
    with app.app_context():
        assert db.session.scalar(select(func.count(Vote.id))) == 0
    assert score(app) == (0, 0, 0)
