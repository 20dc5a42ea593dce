"""Publishing our comments: Create / Update / Delete of the reply Note, delivered to the thread (the summary's
author, every remote commenter) and the commenter's followers; replies to a remote summary or comment point at
the remote ids, which is how our users answer on another instance."""

from __future__ import annotations

from fediscience.activitypub import PUBLIC
from fediscience.comments.services import add_comment, delete_comment, edit_comment
from fediscience.db import db
from fediscience.federation import urls
from fediscience.federation.models import Follow
from fediscience.summaries.services import create_summary
from tests.federation_delivery.conftest import follow, new_author, remote_actor
from tests.federation_delivery.publishing_world import (
    SOURCE, bodies, paper, remote_comment, remote_summary, sent, types,
)
from tests.helpers import wait_for_jobs


def _commit(app) -> None:
    db.session.commit()
    wait_for_jobs(app)


def _thread(a, b, c):
    """rob's summary (held on a) with a comment by mia (on c); alice's follower ann is behind b's shared inbox."""
    rob = remote_actor("rob", a.url("/users/rob/inbox"), a.url("/inbox"))
    mia = remote_actor("mia", c.url("/users/mia/inbox"), c.url("/inbox"))
    summary = remote_summary(rob, paper(), a.url("/notes/1"))
    mias = remote_comment(summary, mia, c.url("/notes/7"))
    return rob, mia, summary, mias


def test_a_comment_on_a_remote_summary_reaches_its_author_the_thread_and_the_followers(ctx, author, receivers):
    a, b, c = receivers
    rob, mia, summary, _ = _thread(a, b, c)
    follow(remote_actor("ann", b.url("/users/ann/inbox"), b.url("/inbox")), author)
    comment = add_comment(author, summary, "I disagree with $x$.")
    _commit(ctx)

    for receiver in (a, b, c):
        [body] = bodies(receiver)
        assert receiver.posts()[0].path == "/inbox"  # the shared inbox, once per instance
        assert body == sent()[0].payload
    note = body["object"]
    assert body["type"] == "Create" and body["actor"] == urls.actor_url(author) == note["attributedTo"]
    assert note["id"] == urls.comment_url(comment) == f"{urls.base_url()}/c/{comment.public_id}"
    assert note["inReplyTo"] == a.url("/notes/1") == summary.uri  # the remote id, not our copy's
    assert note["to"] == [PUBLIC] and note["cc"] == [urls.followers_url(author), rob.uri]
    assert note["tag"] == [{"type": "Mention", "href": rob.uri, "name": "@rob@remote.test"}]
    assert body["cc"] == note["cc"]
    # Mastodon's own mention markup first (to rob's id: he has no profile page on record), then the comment
    assert note["content"].startswith(
        f'<p><span class="h-card" translate="no"><a href="{rob.uri}" class="u-url mention">@<span>rob</span></a>'
        "</span> I disagree with <math"
    )
    assert comment.html.startswith("<p>I disagree with <math")  # what our page shows is unchanged


def test_a_reply_to_a_remote_comment_points_at_it_and_mentions_its_author(ctx, author, receivers):
    a, b, c = receivers
    rob, mia, summary, mias = _thread(a, b, c)
    mia.profile_url = "https://c.example/@mia"  # the mention links to the profile page when we know it
    reply = add_comment(author, summary, "Good point.", parent=mias)
    _commit(ctx)

    [body] = bodies(c, "/inbox")
    note = body["object"]
    assert note["inReplyTo"] == c.url("/notes/7") == mias.uri
    assert note["tag"] == [{"type": "Mention", "href": mia.uri, "name": "@mia@remote.test"}]
    assert note["content"] == (
        '<p><span class="h-card" translate="no"><a href="https://c.example/@mia" class="u-url mention">'
        "@<span>mia</span></a></span> Good point.</p>\n"
    )
    # the summary's author is addressed too, so that his server keeps a reply to someone else's comment
    assert note["cc"] == [urls.followers_url(author), mia.uri, rob.uri]
    assert bodies(a, "/inbox") == [body] and b.posts() == []
    assert note["id"] == urls.comment_url(reply)


def test_a_local_comment_on_a_local_summary_reaches_the_remote_commenters_only(ctx, author, key_pair, receivers):
    a, b, c = receivers
    bob = new_author("bob", key_pair)
    summary = create_summary(author, paper(), SOURCE, draft=False, private=False)
    mia = remote_actor("mia", c.url("/users/mia/inbox"), c.url("/inbox"))
    mias = remote_comment(summary, mia, c.url("/notes/7"))
    _commit(ctx)
    assert sent() == []  # alice has no remote follower: her summary went nowhere

    add_comment(bob, summary, "Me too.", parent=mias)
    _commit(ctx)
    [body] = bodies(c, "/inbox")
    assert body["type"] == "Create" and body["object"]["inReplyTo"] == mias.uri
    assert body["object"]["cc"] == [urls.followers_url(bob), mia.uri, urls.actor_url(author)]
    assert a.posts() == [] and b.posts() == []


def test_edits_update_and_deletes_delete_the_comment_wherever_it_was_sent(ctx, author, receivers):
    a, b, c = receivers
    rob, mia, summary, _ = _thread(a, b, c)
    ann = remote_actor("ann", b.url("/users/ann/inbox"), b.url("/inbox"))
    follow(ann, author)
    comment = add_comment(author, summary, "First words.")
    _commit(ctx)
    create = bodies(b, "/inbox")[0]

    edit_comment(comment, author, "Better words.")
    _commit(ctx)
    update = bodies(b, "/inbox")[1]
    assert update["type"] == "Update" and update["object"]["id"] == create["object"]["id"]
    assert "Better words." in update["object"]["content"] and update["object"]["updated"] >= create["published"]
    assert update["id"] != create["id"]

    db.session.query(Follow).filter_by(follower_id=ann.id).delete()  # ann leaves: b still holds the comment
    db.session.commit()
    delete_comment(comment, author)
    _commit(ctx)
    for receiver in (a, b, c):
        assert types(receiver) == ["Create", "Delete", "Update"]
    delete = bodies(b, "/inbox")[2]
    assert delete["type"] == "Delete" and delete["actor"] == urls.actor_url(author)
    assert delete["object"]["type"] == "Tombstone" and delete["object"]["id"] == urls.comment_url(comment)


def test_comments_by_remote_accounts_are_not_republished(ctx, author, receivers):
    a, b, c = receivers
    follow(remote_actor("ann", b.url("/users/ann/inbox"), b.url("/inbox")), author)
    summary = create_summary(author, paper(), SOURCE, draft=False, private=False)
    _commit(ctx)
    assert types(b) == ["Create"]
    b.received.clear()
    mia = remote_actor("mia", c.url("/users/mia/inbox"), c.url("/inbox"))
    add_comment(mia, summary, "From afar.")  # as an ingest that reuses the service would
    _commit(ctx)
    assert all(receiver.posts() == [] for receiver in receivers)
    assert [activity.activity_type for activity in sent()] == ["Create"]  # alice's summary only


def test_a_rolled_back_comment_sends_nothing(ctx, author, receivers, runner):
    a, b, c = receivers
    _, _, summary, _ = _thread(a, b, c)
    db.session.commit()
    add_comment(author, summary, "Never mind.")
    assert len(sent()) == 1
    db.session.rollback()
    wait_for_jobs(ctx)
    assert sent() == [] and runner.jobs == [] and all(receiver.posts() == [] for receiver in receivers)


def test_a_comment_that_does_not_start_with_a_paragraph_gets_its_own_mention_paragraph(ctx, author, receivers):
    a, b, c = receivers
    rob, _, summary, _ = _thread(a, b, c)
    add_comment(author, summary, "- first point\n- second point")
    _commit(ctx)
    [body] = bodies(a)
    assert body["object"]["content"].startswith(
        f'<p><span class="h-card" translate="no"><a href="{rob.uri}" class="u-url mention">@<span>rob</span></a>'
        "</span></p><ul>"
    )


def test_answering_oneself_mentions_nobody(ctx, author, receivers):
    a, b, c = receivers
    _, _, summary, _ = _thread(a, b, c)
    first = add_comment(author, summary, "A thought.")
    add_comment(author, summary, "A second thought.", parent=first)
    _commit(ctx)
    [second] = [body["object"] for body in bodies(a) if body["object"]["inReplyTo"] == urls.comment_url(first)]
    assert second["content"] == "<p>A second thought.</p>\n" and second["tag"] == []
