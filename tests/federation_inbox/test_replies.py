"""Create{Note} replies: comments threaded under our summaries and comments (and remote copies), shown on pages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from fediscience.comments.models import Comment
from fediscience.comments.services import add_comment
from fediscience.db import db
from fediscience.federation.models import Notification
from fediscience.summaries.models import Summary
from fediscience.summaries.services import create_summary
from fediscience.users.models import Actor
from fediscience.users.services import register_user
from tests.federation_inbox.conftest import Local, Remote, activity, count, deliver, process
from tests.federation_inbox.notes import parse, reply_note, statuses, summary_note
from tests.helpers import PASSWORD, make_paper


@dataclass
class Thread:
    """Alice's public summary and Bob's local comment on it."""

    summary_public_id: str
    summary_url: str
    comment_id: int
    comment_url: str
    bob_id: int
    paper_public_id: str


@pytest.fixture
def thread(app: Flask, alice: Local) -> Thread:
    with app.app_context():
        paper = make_paper("Robustness of classifiers")
        summary = create_summary(db.session.get(Actor, alice.actor_id), paper, "Short and *sweet*.",
                                 draft=False, private=False)
        bob = register_user("bob", "bob@example.org", PASSWORD).actor
        comment = add_comment(bob, summary, "A local comment.")
        db.session.commit()
        return Thread(summary.public_id, f"http://localhost/s/{summary.public_id}", comment.id,
                      f"http://localhost/c/{comment.public_id}", bob.id, paper.public_id)


def _comment(app: Flask, uri: str) -> Comment:
    with app.app_context():
        comment = db.session.scalar(select(Comment).where(Comment.uri == uri))
        assert comment is not None
        db.session.expunge(comment)
        return comment


def _notifications(app: Flask) -> list[tuple[int, str, int | None]]:
    with app.app_context():
        rows = db.session.execute(
            select(Notification.recipient_id, Notification.kind, Notification.comment_id).order_by(Notification.id)
        )
        return [tuple(row) for row in rows]


def test_replies_are_threaded_and_notify_local_authors(
    app: Flask, client: Any, mallory: Remote, trent: Remote, alice: Local, thread: Thread
) -> None:
    before = _notifications(app)
    on_summary = reply_note(mallory, "1", thread.summary_url, '<p>Nice <script>x()</script><a href="javascript:y()">summary</a>!</p>')
    on_comment = reply_note(trent, "2", thread.comment_url, "<p>Replying to Bob.</p>", contentMap={"de": "x"})
    deliver(client, mallory, activity(mallory, "Create", on_summary))
    deliver(client, trent, activity(trent, "Create", on_comment))
    process(app)
    nested = reply_note(mallory, "3", on_comment["id"], "<p>Replying to Trent.</p>")
    deliver(client, mallory, activity(mallory, "Create", nested))
    process(app)

    assert statuses(app) == ["done"] * 3
    first, second, third = (_comment(app, note["id"]) for note in (on_summary, on_comment, nested))
    assert first.parent_id is None and first.url == on_summary["url"] and first.language == "en"
    assert first.source == "Nice summary!" and not parse(first.html).xpath("//script | //a[@href]")
    assert second.parent_id == thread.comment_id and second.language == "de"
    assert third.parent_id == second.id and third.summary_id == first.summary_id == second.summary_id
    assert _notifications(app)[len(before):] == [
        (alice.actor_id, "comment", first.id),
        (thread.bob_id, "reply", second.id), (alice.actor_id, "comment", second.id),
        (alice.actor_id, "comment", third.id),  # Trent is remote: nobody to tell but the summary's author
    ]

    page = parse(client.get(f"/s/{thread.summary_public_id}").get_data(as_text=True))
    assert page.xpath(f'//li[@id="c-{_public_id(app, thread.comment_id)}"]//li[@id="c-{second.public_id}"]'
                      f'//li[@id="c-{third.public_id}"]')
    [meta] = page.xpath(f'//li[@id="c-{second.public_id}"]/p[@class="meta"]')
    assert f"@trent@127.0.0.1:{trent.uri.split(':')[2].split('/')[0]}" in meta.text_content()
    assert meta.xpath('.//a[@class="original"]/@href') == [on_comment["url"]]
    assert meta.xpath(".//a/@href")[0] == trent.uri  # the byline links to the remote account


def test_replies_to_a_remote_summary_we_hold(app: Flask, client: Any, mallory: Remote, trent: Remote) -> None:
    with app.app_context():
        paper_public_id = make_paper("ShortScience").public_id
        db.session.commit()
    summary = summary_note(mallory, "1", {"arxiv": "1707.06684"}, content="<p>Remote words.</p>")
    deliver(client, mallory, activity(mallory, "Create", summary))
    process(app)
    reply = reply_note(trent, "2", summary["id"], "<p>Remote reply.</p>")
    deliver(client, trent, activity(trent, "Create", reply))
    process(app)

    comment = _comment(app, reply["id"])
    with app.app_context():
        assert db.session.get(Summary, comment.summary_id).uri == summary["id"]
    page = parse(client.get(f"/p/{paper_public_id}").get_data(as_text=True))
    [article] = page.xpath('//article[contains(@class, "summary")]')
    assert "Remote words." in article.text_content() and "Remote reply." in article.text_content()
    assert "@mallory@127.0.0.1:" in article.xpath('.//p[@class="meta"]')[0].text_content()
    assert article.xpath('.//p[@class="actions"]/a[@class="original"]/@href') == [summary["url"]]


def test_a_markdown_source_is_kept_as_the_comment_source(
    app: Flask, client: Any, mallory: Remote, thread: Thread
) -> None:
    note = reply_note(mallory, "1", thread.summary_url, "<p>Some <em>maths</em></p>",
                      source={"content": "Some *maths*", "mediaType": "text/markdown"})
    deliver(client, mallory, activity(mallory, "Create", note))
    process(app)
    comment = _comment(app, note["id"])
    assert comment.source == "Some *maths*" and parse(comment.html).xpath("//em")


def test_replies_we_cannot_place_or_must_not_show_are_ignored(
    app: Flask, client: Any, mallory: Remote, alice: Local, thread: Thread
) -> None:
    with app.app_context():
        private = create_summary(db.session.get(Actor, thread.bob_id), make_paper("Other", arxiv_id="1608.08967"),
                                 "Private.", draft=False, private=True)
        db.session.commit()
        private_url = f"http://localhost/s/{private.public_id}"
    cases = [
        reply_note(mallory, "1", f"{mallory.uri}/statuses/unknown"),  # a parent we do not hold
        reply_note(mallory, "2", "http://localhost/s/nosuchsummary"),
        reply_note(mallory, "3", private_url),
        # a direct message: never a comment, but alice hears of it as a mention (test_mentions.py)
        reply_note(mallory, "4", thread.summary_url, to=[alice.url], cc=[]),
        {"id": f"{mallory.uri}/statuses/5", "type": "Note", "attributedTo": mallory.uri, "content": "<p>hi</p>",
         "to": ["https://www.w3.org/ns/activitystreams#Public"]},  # neither a reply nor a summary
    ]
    for note in cases:
        deliver(client, mallory, activity(mallory, "Create", note))
    process(app)
    assert statuses(app) == ["ignored", "ignored", "ignored", "done", "ignored"]
    assert count(app, Comment) == 1  # Bob's
    assert [kind for _, kind, _ in _notifications(app)] == ["comment", "mention"]  # Bob's comment, the message


def _public_id(app: Flask, comment_id: int) -> str:
    with app.app_context():
        return db.session.get(Comment, comment_id).public_id


def test_pages_and_feeds_show_remote_summaries_and_comments(
    app: Flask, client: Any, mallory: Remote, trent: Remote, alice: Local, thread: Thread
) -> None:
    summary = summary_note(mallory, "1", {"arxiv": "1512.03385", "title": "ResNet"}, source="Remote $x$ words.")
    deliver(client, mallory, activity(mallory, "Create", summary))
    deliver(client, trent, activity(trent, "Create", reply_note(trent, "2", thread.summary_url, "<p>Hi Alice.</p>")))
    process(app)
    with app.app_context():
        stored = db.session.scalar(select(Summary).where(Summary.uri == summary["id"]))
        paper_id, summary_id = stored.paper.public_id, stored.public_id
        mallory_id = db.session.scalar(select(Actor.public_id).where(Actor.uri == mallory.uri))
    remote_pages = ["/", "/feeds/latest.atom", f"/p/{paper_id}", f"/p/{paper_id}/feed.atom", f"/s/{summary_id}",
                    f"/s/{summary_id}/revisions", f"/s/{summary_id}/revisions/1", f"/actors/{mallory_id}"]
    for path in remote_pages:
        response = client.get(path)
        assert response.status_code == 200, path
        assert "mallory" in response.get_data(as_text=True), path
    assert f"/s/{summary_id}<" in client.get("/sitemaps/summaries-1.xml").get_data(as_text=True)
    page = parse(client.get(f"/s/{summary_id}").get_data(as_text=True))
    assert page.xpath('//link[@rel="alternate" and @type="application/activity+json"]/@href') == [summary["id"]]
    assert page.xpath('//a[@class="original"]/@href') == [summary["url"]]

    from tests.helpers import login

    login(client, "alice")
    notifications = client.get("/notifications").get_data(as_text=True)
    assert "trent" in notifications
