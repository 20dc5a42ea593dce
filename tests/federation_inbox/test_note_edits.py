"""Update and Delete of remote summaries and comments (only by their author), and Update of the sender's profile."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from fediscience.comments.models import Comment
from fediscience.comments.services import add_comment
from fediscience.db import db
from fediscience.papers.models import Paper
from fediscience.summaries.models import Summary, SummaryRevision
from fediscience.users.models import Actor
from fediscience.votes.models import Vote
from fediscience.votes.services import cast_vote
from tests.federation_inbox.conftest import Local, Remote, activity, count, deliver, process
from tests.federation_inbox.notes import errors, reply_note, statuses, summary_note
from tests.helpers import make_paper

PAPER = {"arxiv": "1707.06684"}


@pytest.fixture
def remote_summary(app: Flask, client: Any, mallory: Remote, alice: Local) -> dict[str, Any]:
    """Mallory's summary, stored here, with Alice's vote and comment on it."""
    with app.app_context():
        make_paper("ShortScience")
        db.session.commit()
    note = summary_note(mallory, "1", PAPER, source="First *version*.")
    deliver(client, mallory, activity(mallory, "Create", note))
    process(app)
    with app.app_context():
        summary = db.session.scalar(select(Summary))
        alice_actor = db.session.get(Actor, alice.actor_id)
        cast_vote(alice_actor, summary, 1)
        add_comment(alice_actor, summary, "Local comment on a remote summary.")
        db.session.commit()
    return note


def _summary(app: Flask) -> tuple[str, str, int]:
    with app.app_context():
        summary = db.session.scalar(select(Summary))
        return summary.source, summary.html, count(app, SummaryRevision)


def test_an_update_with_a_newer_updated_edits_an_older_one_is_ignored(
    app: Flask, client: Any, mallory: Remote, remote_summary: dict[str, Any]
) -> None:
    edited = remote_summary | {"source": {"content": "Second $x^2$.", "mediaType": "text/markdown"},
                               "updated": "2025-06-02T00:00:00Z"}
    deliver(client, mallory, activity(mallory, "Update", edited))
    process(app)
    stale = remote_summary | {"source": {"content": "Stale.", "mediaType": "text/markdown"},
                              "updated": "2025-06-01T18:00:00Z"}
    deliver(client, mallory, activity(mallory, "Update", stale))
    no_date = remote_summary | {"source": {"content": "Undated.", "mediaType": "text/markdown"}}
    deliver(client, mallory, activity(mallory, "Update", no_date))
    process(app)

    assert statuses(app)[1:] == ["done", "ignored", "ignored"]
    source, html, revisions = _summary(app)
    assert source == "Second $x^2$." and "<math" in html and revisions == 2
    with app.app_context():
        newest = db.session.scalar(select(SummaryRevision).order_by(SummaryRevision.number.desc()))
        assert newest.number == 2 and newest.created_at.isoformat().startswith("2025-06-02T00:00:00")


def test_an_update_or_delete_by_another_actor_is_rejected(
    app: Flask, client: Any, mallory: Remote, trent: Remote, remote_summary: dict[str, Any]
) -> None:
    hijack = remote_summary | {"attributedTo": trent.uri, "content": "<p>Hijacked</p>", "source": None,
                               "updated": "2025-07-01T00:00:00Z"}
    deliver(client, trent, activity(trent, "Update", hijack))
    deliver(client, trent, activity(trent, "Delete", remote_summary["id"]))
    process(app)

    assert statuses(app)[1:] == ["rejected", "rejected"]
    assert [error[:25] for error in errors(app)[1:]] == ["only the author can edit ", "only the author can delet"]
    assert _summary(app) == ("First *version*.", _summary(app)[1], 1)
    assert count(app, Summary) == 1 and count(app, Vote) == 1 and count(app, Comment) == 1


def test_a_delete_removes_the_summary_with_its_votes_and_comments_for_good(
    app: Flask, client: Any, mallory: Remote, remote_summary: dict[str, Any]
) -> None:
    tombstone = {"id": remote_summary["id"], "type": "Tombstone"}
    deliver(client, mallory, activity(mallory, "Delete", tombstone))
    process(app)
    assert (count(app, Summary), count(app, Vote), count(app, Comment), count(app, SummaryRevision)) == (0, 0, 0, 0)
    with app.app_context():
        assert db.session.scalar(select(Paper.summary_count)) == 0

    deliver(client, mallory, activity(mallory, "Create", remote_summary))  # late, or replayed
    deliver(client, mallory, activity(mallory, "Delete", f"{mallory.uri}/summaries/unknown"))
    process(app)
    assert statuses(app) == ["done", "done", "ignored", "ignored"]
    assert count(app, Summary) == 0


def test_comment_edits_and_deletes(
    app: Flask, client: Any, mallory: Remote, trent: Remote, alice: Local, remote_summary: dict[str, Any]
) -> None:
    with app.app_context():
        alice_comment = db.session.scalar(select(Comment))
        parent_url = f"http://localhost/c/{alice_comment.public_id}"
    first = reply_note(trent, "1", parent_url, "<p>First take.</p>")
    lonely = reply_note(trent, "2", remote_summary["id"], "<p>Nobody answers this.</p>")
    deliver(client, trent, activity(trent, "Create", first))
    deliver(client, trent, activity(trent, "Create", lonely))
    process(app)
    deliver(client, mallory, activity(mallory, "Create", reply_note(mallory, "3", first["id"], "<p>Answer.</p>")))
    deliver(client, trent, activity(trent, "Update", first | {"content": "<p>Second take.</p>",
                                                              "updated": "2025-06-03T00:00:00Z"}))
    deliver(client, mallory, activity(mallory, "Delete", first["id"]))  # not Mallory's
    process(app)
    deliver(client, trent, activity(trent, "Update", first | {"content": "<p>Older.</p>",
                                                              "updated": "2025-06-02T09:00:00Z"}))
    process(app)

    assert statuses(app) == ["done"] * 5 + ["rejected", "ignored"]
    with app.app_context():
        edited = db.session.scalar(select(Comment).where(Comment.uri == first["id"]))
        assert edited.html == "<p>Second take.</p>" and edited.edited_at.isoformat().startswith("2025-06-03")

    deliver(client, trent, activity(trent, "Delete", {"id": first["id"], "type": "Tombstone"}))
    deliver(client, trent, activity(trent, "Delete", lonely["id"]))
    process(app)
    with app.app_context():
        placeholder = db.session.scalar(select(Comment).where(Comment.uri == first["id"]))
        assert placeholder.is_deleted and placeholder.html == "" and placeholder.source == ""
        assert db.session.scalar(select(Comment).where(Comment.uri == lonely["id"])) is None
    assert count(app, Comment) == 3  # Alice's, the placeholder, Mallory's answer


def test_an_update_of_the_sender_refreshes_its_profile(app: Flask, client: Any, mallory: Remote) -> None:
    profile = mallory.document() | {"name": "Mallory M.", "summary": "<p>Bio <script>x</script></p>"}
    del profile["@context"]  # embedded: the activity's @context applies
    deliver(client, mallory, activity(mallory, "Update", profile))
    process(app)
    assert statuses(app) == ["done"]
    with app.app_context():
        actor = db.session.scalar(select(Actor).where(Actor.uri == mallory.uri))
        assert (actor.display_name, actor.bio) == ("Mallory M.", "<p>Bio </p>")
