"""Builders of the Notes other servers send: FediScience summaries (with our `paper` node) and replies."""

from __future__ import annotations

from typing import Any

from flask import Flask
from lxml import html as lxml_html
from sqlalchemy import select

from fediscience.activitypub import PUBLIC
from fediscience.db import db
from fediscience.federation.models import InboxItem
from tests.federation_inbox.conftest import Remote


def summary_note(
    remote: Remote, key: str, paper: dict[str, Any], *, source: str | None = None,
    content: str = "<p>A remote summary.</p>", **extra: Any,
) -> dict[str, Any]:
    """A summary Note as a FediScience instance sends it (Markdown `source` only when given)."""
    note_id = f"{remote.uri}/summaries/{key}"
    note: dict[str, Any] = {
        "id": note_id, "type": "Note", "attributedTo": remote.uri, "to": [PUBLIC], "cc": [f"{remote.uri}/followers"],
        "url": f"{note_id}/page", "name": f"Summary of {paper.get('title', 'a paper')}", "content": content,
        "published": "2025-06-01T12:00:00Z", "paper": {"type": "Paper", "id": "https://peer.example/p/x", **paper},
    }
    if source is not None:
        note["source"] = {"content": source, "mediaType": "text/markdown"}
    return note | extra


def reply_note(remote: Remote, key: str, in_reply_to: str, content: str = "<p>Nice summary!</p>",
               **extra: Any) -> dict[str, Any]:
    """A Mastodon-style public reply."""
    note_id = f"{remote.uri}/statuses/{key}"
    return {
        "id": note_id, "type": "Note", "attributedTo": remote.uri, "inReplyTo": in_reply_to,
        "to": [PUBLIC], "cc": [f"{remote.uri}/followers"], "url": f"{remote.uri.replace('/users/', '/@')}/{key}",
        "content": content, "contentMap": {"en": content}, "published": "2025-06-02T08:00:00Z", **extra,
    }


def statuses(app: Flask) -> list[str]:
    """The inbox items' statuses, in arrival order."""
    with app.app_context():
        return list(db.session.scalars(select(InboxItem.status).order_by(InboxItem.id)))


def errors(app: Flask) -> list[str | None]:
    """The inbox items' errors, in arrival order."""
    with app.app_context():
        return list(db.session.scalars(select(InboxItem.error).order_by(InboxItem.id)))


def parse(fragment: str) -> Any:
    """An HTML fragment (or page) as an lxml tree."""
    return lxml_html.fromstring(f"<div>{fragment}</div>")
