"""Helpers for the publishing tests: a paper, remote followers behind shared inboxes, remote copies of a summary
and of comments, and what the receivers got."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from fediscience.comments.models import Comment
from fediscience.db import db, utcnow
from fediscience.federation.models import Activity
from fediscience.papers.models import Paper
from fediscience.summaries.models import Summary
from fediscience.users.models import Actor
from tests.federation_delivery.conftest import Receiver, follow, remote_actor
from tests.helpers import make_paper

SOURCE = "We minimise $L = \\sum_i (y_i - \\hat{y}_i)^2$ over **all** inputs."


def paper() -> Paper:
    """A paper to summarise."""
    return make_paper("Attention & Robustness")


def followers(author: Actor, a: Receiver, b: Receiver) -> None:
    """Accepted followers: two behind a's shared inbox, one with only a personal inbox on a, one behind b's shared
    inbox; and a pending one on b, who gets nothing."""
    for name in ("ann", "bea"):
        follow(remote_actor(name, a.url(f"/users/{name}/inbox"), a.url("/inbox")), author)
    follow(remote_actor("dan", a.url("/users/dan/inbox")), author)
    follow(remote_actor("eve", b.url("/users/eve/inbox"), b.url("/inbox")), author)
    follow(remote_actor("fay", b.url("/users/fay/inbox"), b.url("/inbox")), author, state="pending")


def remote_summary(author: Actor, on: Paper, uri: str) -> Summary:
    """A remote instance's public summary as we hold it (a copy whose id is `uri`)."""
    summary = Summary(paper=on, author=author, uri=uri, url=uri, source=SOURCE, html="<p>Remote text.</p>",
                      is_draft=False, is_private=False, share_token="unused", published_at=utcnow())
    db.session.add(summary)
    db.session.flush()
    return summary


def remote_comment(summary: Summary, author: Actor, uri: str, parent: Comment | None = None) -> Comment:
    """A remote account's comment as we hold it."""
    comment = Comment(summary_id=summary.id, parent_id=parent.id if parent else None, author=author, uri=uri,
                      source="Remote comment.", html="<p>Remote comment.</p>")
    db.session.add(comment)
    db.session.flush()
    return comment


def bodies(receiver: Receiver, path: str | None = None) -> list[dict[str, Any]]:
    """The activities a receiver got (at one path, or all), each checked to carry a valid signature."""
    posts = receiver.posts(path)
    assert all(post.verified for post in posts), [post.error for post in posts]
    return [post.body for post in posts]


def types(receiver: Receiver, path: str | None = None) -> list[str]:
    """The types of the activities a receiver got, sorted."""
    return sorted(body["type"] for body in bodies(receiver, path))


def sent() -> list[Activity]:
    """The activities we recorded, oldest first."""
    return list(db.session.scalars(select(Activity).order_by(Activity.id)))
