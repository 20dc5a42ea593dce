"""Publishing our users' votes on summaries held on other instances: Like (+1), Dislike (−1), and the Undo of
the previous one when a vote changes or is withdrawn; votes on our own summaries stay here."""

from __future__ import annotations

from fediscience.db import db
from fediscience.federation import urls
from fediscience.federation.collections import like_id
from fediscience.summaries.services import create_summary
from fediscience.votes.models import Vote
from fediscience.votes.services import cast_vote, remove_vote
from tests.federation_delivery.conftest import follow, new_author, remote_actor
from tests.federation_delivery.publishing_world import SOURCE, bodies, paper, remote_summary, sent
from tests.helpers import wait_for_jobs


def _commit(app) -> None:
    db.session.commit()
    wait_for_jobs(app)


def _remote(a):
    rob = remote_actor("rob", a.url("/users/rob/inbox"), a.url("/inbox"))
    return rob, remote_summary(rob, paper(), a.url("/notes/1"))


def _vote() -> Vote:
    return db.session.query(Vote).one()


def test_an_upvote_is_a_like_at_the_authors_own_inbox(ctx, author, receivers):
    a = receivers[0]
    rob, summary = _remote(a)
    cast_vote(author, summary, 1)
    _commit(ctx)

    [like] = bodies(a, "/users/rob/inbox")  # Mastodon sends likes to the personal inbox, so do we
    assert a.posts("/inbox") == []
    assert like["type"] == "Like" and like["actor"] == urls.actor_url(author)
    assert like["object"] == summary.uri and like["to"] == [rob.uri]
    assert _vote().uri == like["id"] == sent()[0].uri == like_id(_vote(), author)


def test_changing_plus_one_to_minus_one_undoes_the_like_then_dislikes(ctx, author, receivers):
    a = receivers[0]
    _, summary = _remote(a)
    cast_vote(author, summary, 1)
    _commit(ctx)
    [like] = bodies(a)

    cast_vote(author, summary, -1)
    _commit(ctx)
    undo, dislike = [activity.payload for activity in sent()[1:]]  # recorded, hence enqueued, in this order
    assert sorted(body["type"] for body in bodies(a)) == ["Dislike", "Like", "Undo"]
    assert undo["type"] == "Undo" and undo["actor"] == urls.actor_url(author)
    assert undo["object"] == {key: value for key, value in like.items() if key != "@context"}
    assert dislike["type"] == "Dislike" and dislike["object"] == summary.uri and dislike["id"] != like["id"]
    assert _vote().uri == dislike["id"]
    assert all(body in bodies(a, "/users/rob/inbox") for body in (undo, dislike))


def test_withdrawing_a_vote_undoes_it(ctx, author, receivers):
    a = receivers[0]
    _, summary = _remote(a)
    cast_vote(author, summary, -1)
    _commit(ctx)
    [dislike] = bodies(a)

    remove_vote(author, summary)
    _commit(ctx)
    undo = bodies(a)[1]
    assert undo["type"] == "Undo" and undo["object"]["id"] == dislike["id"]
    assert undo["object"]["type"] == "Dislike" and undo["object"]["object"] == summary.uri
    assert db.session.query(Vote).count() == 0


def test_votes_on_our_own_summaries_send_nothing(ctx, author, key_pair, receivers):
    a = receivers[0]
    bob = new_author("bob", key_pair)
    follow(remote_actor("ann", a.url("/users/ann/inbox"), a.url("/inbox")), bob)
    summary = create_summary(author, paper(), SOURCE, draft=False, private=False)
    _commit(ctx)
    cast_vote(bob, summary, 1)
    cast_vote(bob, summary, -1)
    remove_vote(bob, summary)
    _commit(ctx)
    assert sent() == [] and a.posts() == []


def test_a_remote_accounts_vote_is_not_sent_on(ctx, author, receivers):
    a, b = receivers[0], receivers[1]
    _, summary = _remote(a)
    mia = remote_actor("mia", b.url("/users/mia/inbox"), b.url("/inbox"))
    cast_vote(mia, summary, 1)  # as an ingest that reuses the service would
    _commit(ctx)
    assert sent() == [] and a.posts() == []


def test_a_rolled_back_vote_sends_nothing_and_keeps_no_id(ctx, author, receivers, runner):
    a = receivers[0]
    _, summary = _remote(a)  # flushed, not committed: pysqlite would otherwise commit the vote's savepoint alone
    cast_vote(author, summary, 1)
    assert _vote().uri == sent()[0].uri
    db.session.rollback()
    wait_for_jobs(ctx)
    assert sent() == [] and db.session.query(Vote).count() == 0 and runner.jobs == [] and a.posts() == []
