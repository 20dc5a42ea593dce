"""Mentions of our users in Notes outside our threads (and in replies within them): `mention` notifications with
the post's URL and an excerpt, once per Note, shown only to their recipient."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from fediscience.activitypub import PUBLIC
from fediscience.comments.models import Comment
from fediscience.comments.services import add_comment
from fediscience.db import db
from fediscience.federation.models import Notification
from fediscience.federation.tombstones import record_tombstone
from fediscience.summaries.services import create_summary
from fediscience.users.models import Actor
from fediscience.users.services import register_user
from tests.federation_inbox.conftest import Local, Remote, activity, count, deliver, process
from tests.federation_inbox.notes import parse, reply_note, statuses
from tests.helpers import PASSWORD, login, make_paper


def mention_tag(local: Local, name: str = "alice") -> dict[str, str]:
    """A Mention of a local user, as Mastodon writes it."""
    return {"type": "Mention", "href": local.url, "name": f"@{name}@localhost"}


def status(remote: Remote, key: str, content: str, **extra: Any) -> dict[str, Any]:
    """A Mastodon status that replies to nothing of ours."""
    note_id = f"{remote.uri}/statuses/{key}"
    return {
        "id": note_id, "type": "Note", "attributedTo": remote.uri, "to": [PUBLIC], "cc": [f"{remote.uri}/followers"],
        "url": f"{remote.uri.replace('/users/', '/@')}/{key}", "content": content, **extra,
    }


def _mentions(app: Flask, recipient_id: int | None = None) -> list[tuple[int, int | None, str | None, str | None]]:
    """(recipient, from actor, object_url, excerpt) of the mention notifications, oldest first."""
    with app.app_context():
        query = select(Notification.recipient_id, Notification.from_actor_id, Notification.object_url,
                       Notification.excerpt).where(Notification.kind == "mention").order_by(Notification.id)
        if recipient_id is not None:
            query = query.where(Notification.recipient_id == recipient_id)
        return [tuple(row) for row in db.session.execute(query)]


def _actor_id(app: Flask, uri: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Actor.id).where(Actor.uri == uri))


@pytest.fixture
def bob(app: Flask) -> Local:
    """Another local user."""
    with app.app_context():
        actor = register_user("bob", "bob@example.org", PASSWORD).actor
        db.session.commit()
        return Local(actor.id, actor.public_id, f"http://localhost/u/{actor.public_id}")


def test_a_mention_notifies_once_with_the_url_and_an_excerpt(
    app: Flask, client: Any, mallory: Remote, alice: Local
) -> None:
    note = status(mallory, "1", f'<p><span class="h-card"><a href="{alice.url}" class="u-url mention">@<span>alice'
                                '</span></a></span> have you   seen <b>this</b>?<script>x()</script></p>',
                  tag=[mention_tag(alice)])
    deliver(client, mallory, activity(mallory, "Create", note))
    deliver(client, mallory, activity(mallory, "Create", note))  # the same Note in another activity
    process(app)

    assert statuses(app) == ["done", "done"]
    assert _mentions(app) == [(alice.actor_id, _actor_id(app, mallory.uri), note["url"], "@alice have you seen this?")]
    assert count(app, Comment) == 0


def test_a_direct_message_or_an_address_in_cc_notifies_too(
    app: Flask, client: Any, mallory: Remote, alice: Local, bob: Local
) -> None:
    direct = status(mallory, "dm", "<p>Just between us.</p>", to=[alice.url], cc=[])
    del direct["url"]
    addressed = status(mallory, "cc", "<p>FYI.</p>", cc=[bob.url, f"{mallory.uri}/followers"])
    for note in (direct, addressed):
        deliver(client, mallory, activity(mallory, "Create", note))
    process(app)

    assert statuses(app) == ["done", "done"]
    mallory_id = _actor_id(app, mallory.uri)
    assert _mentions(app) == [
        (alice.actor_id, mallory_id, direct["id"], "Just between us."),  # no url: the Note's id
        (bob.actor_id, mallory_id, addressed["url"], "FYI."),
    ]


def test_notes_that_mention_nobody_here_are_ignored(app: Flask, client: Any, mallory: Remote, alice: Local) -> None:
    deleted = status(mallory, "gone", "<p>Deleted.</p>", tag=[mention_tag(alice)])
    with app.app_context():
        record_tombstone(deleted["id"], "Note")
        db.session.commit()
    cases = [
        status(mallory, "1", "<p>Hello world.</p>"),
        status(mallory, "2", "<p>Hi.</p>", tag=[{"type": "Mention", "href": "http://localhost/u/nosuchuser"}]),
        status(mallory, "3", "<p>Hi.</p>", tag=[{"type": "Mention", "href": "http://localhost/actor"}]),
        status(mallory, "4", "<p>Hi.</p>", tag=[{"type": "Mention", "href": f"{mallory.uri}/../alice"}]),
        deleted,
    ]
    for note in cases:
        deliver(client, mallory, activity(mallory, "Create", note))
    process(app)

    assert statuses(app) == ["ignored"] * len(cases)
    assert _mentions(app) == []


def test_a_long_post_is_cut_to_an_excerpt(app: Flask, client: Any, mallory: Remote, alice: Local) -> None:
    words = " ".join(f"word{index}" for index in range(200))
    deliver(client, mallory, activity(mallory, "Create", status(mallory, "1", f"<p>{words}</p>", to=[alice.url])))
    process(app)

    [(_, _, _, excerpt)] = _mentions(app)
    assert len(excerpt) <= 300 and excerpt.endswith("…") and excerpt.startswith("word0 word1")


def test_a_reply_elsewhere_in_the_fediverse_that_mentions_alice_notifies_her(
    app: Flask, client: Any, mallory: Remote, alice: Local
) -> None:
    note = reply_note(mallory, "1", f"{mallory.uri}/statuses/unknown", "<p>@alice look</p>", tag=[mention_tag(alice)])
    deliver(client, mallory, activity(mallory, "Create", note))
    process(app)

    assert statuses(app) == ["done"] and count(app, Comment) == 0
    assert [row[2:] for row in _mentions(app)] == [(note["url"], "@alice look")]


def test_a_reply_in_our_thread_notifies_the_other_local_users_it_mentions(
    app: Flask, client: Any, mallory: Remote, alice: Local, bob: Local
) -> None:
    with app.app_context():
        carol = register_user("carol", "carol@example.org", PASSWORD).actor
        summary = create_summary(db.session.get(Actor, alice.actor_id), make_paper("Thread"), "Words.",
                                 draft=False, private=False)
        comment = add_comment(db.session.get(Actor, bob.actor_id), summary, "Bob's comment.")
        db.session.commit()
        carol_local = Local(carol.id, carol.public_id, f"http://localhost/u/{carol.public_id}")
        comment_url = f"http://localhost/c/{comment.public_id}"
    tags = [mention_tag(bob, "bob"), mention_tag(alice), mention_tag(carol_local, "carol")]
    reply = reply_note(mallory, "1", comment_url, "<p>@bob @alice @carol see this.</p>", tag=tags)
    deliver(client, mallory, activity(mallory, "Create", reply))
    process(app)

    assert statuses(app) == ["done"]
    with app.app_context():
        stored = db.session.scalar(select(Comment.id).where(Comment.uri == reply["id"]))
        rows = db.session.execute(
            select(Notification.recipient_id, Notification.kind, Notification.comment_id)
            .where(Notification.comment_id == stored).order_by(Notification.id)
        ).all()
    assert [tuple(row) for row in rows] == [
        (bob.actor_id, "reply", stored), (alice.actor_id, "comment", stored), (carol.id, "mention", stored),
    ]


def test_the_notifications_page_shows_the_mention_to_its_recipient_only(
    app: Flask, client: Any, mallory: Remote, alice: Local, bob: Local
) -> None:
    content = "<p>Secret &lt;img src=x onerror=alert(1)&gt; plans</p>"
    deliver(client, mallory, activity(mallory, "Create", status(mallory, "dm", content, to=[alice.url], cc=[])))
    process(app)

    login(client, "alice")
    page = parse(client.get("/notifications").get_data(as_text=True))
    [item] = page.xpath('//li[@data-kind="mention"]')
    assert "mallory" in item.text_content()
    [link] = item.xpath('.//a[@class="original"]')
    assert link.get("href") == f"{mallory.uri.replace('/users/', '/@')}/dm"
    assert link.get("rel") == "nofollow noopener"
    [quote] = item.xpath('.//blockquote[@class="excerpt"]')
    assert quote.text_content() == "Secret <img src=x onerror=alert(1)> plans" and len(quote) == 0  # text only
    assert not page.xpath("//img[@onerror]")

    other = app.test_client()
    login(other, "bob")
    assert "Secret" not in other.get("/notifications").get_data(as_text=True)
    assert "Secret" not in app.test_client().get("/").get_data(as_text=True)


def test_the_authors_edit_revises_the_excerpt_and_their_delete_removes_the_notification(
    app: Flask, client: Any, mallory: Remote, trent: Remote, alice: Local, bob: Local
) -> None:
    first = status(mallory, "1", "<p>First draft.</p>", tag=[mention_tag(alice)])
    kept = status(trent, "2", "<p>Another post.</p>", tag=[mention_tag(alice)])
    deliver(client, mallory, activity(mallory, "Create", first))
    deliver(client, trent, activity(trent, "Create", kept))
    edited = {**first, "content": "<p>Second draft.</p>", "updated": "2030-01-01T00:00:00Z"}
    deliver(client, mallory, activity(mallory, "Update", edited))
    process(app)
    assert [row[3] for row in _mentions(app)] == ["Second draft.", "Another post."]

    deliver(client, mallory, activity(mallory, "Delete", f"{mallory.uri}/statuses/unrelated"))
    deliver(client, mallory, activity(mallory, "Delete", {"id": first["id"], "type": "Tombstone"}))
    process(app)
    assert statuses(app)[-2:] == ["ignored", "done"]
    assert _mentions(app) == [(alice.actor_id, _actor_id(app, trent.uri), kept["url"], "Another post.")]
