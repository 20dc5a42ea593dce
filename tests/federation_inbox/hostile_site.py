"""One app on PostgreSQL shared by a whole module of hostile-input tests (hundreds of cases: a fresh app per case
would take minutes), with a local public summary and comment to reply to and two remote actors to sign as."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from fediscience import create_app
from fediscience.activitypub.keys import KeyPair
from fediscience.comments.models import Comment
from fediscience.comments.services import add_comment
from fediscience.db import db
from fediscience.federation.models import InboxItem
from fediscience.summaries.models import Summary
from fediscience.summaries.services import create_summary
from fediscience.users.services import register_user
from tests.conftest import _ensure_migrated, _settings, _truncate_all
from tests.federation_inbox.conftest import Remote, RemoteServer, make_remote
from tests.helpers import PASSWORD, make_paper, wait_for_jobs
from tests.papers.recorded import recorded_transport

# What processing may end in: anything else ("pending" with an error, "failed") means a handler raised.
FINAL_STATUSES = frozenset({"done", "ignored", "rejected"})


@dataclass
class Site:
    """The shared app, its client, the remote actors, and the local objects replies go to."""

    app: Flask
    client: FlaskClient
    remote_server: RemoteServer
    sender: Remote
    other: Remote
    alice_id: int
    summary_public_id: str
    summary_url: str
    comment_url: str


@contextmanager
def hostile_site(postgres_url: str, tmp_path: Path, remote_server: RemoteServer,
                 key_pairs: list[KeyPair]) -> Iterator[Site]:
    """The shared app on the session's PostgreSQL database, emptied again afterwards."""
    app = create_app(_settings(tmp_path, postgres_url, allow_private_addresses=True))
    app.config["TESTING"] = True
    app.extensions["fediscience.http_transport"] = recorded_transport()
    _ensure_migrated(postgres_url, tmp_path)
    try:
        with app.app_context():
            alice = register_user("alice", "alice@example.org", PASSWORD).actor
            summary = create_summary(alice, make_paper("Hostile inputs"), "A *public* summary.", draft=False,
                                     private=False)
            bob = register_user("bob", "bob@example.org", PASSWORD).actor
            comment = add_comment(bob, summary, "A local comment.")
            db.session.commit()
            sender = make_remote(remote_server, "pasture", key_pairs[2])
            other = make_remote(remote_server, "second", key_pairs[3])
            site = Site(app, app.test_client(), remote_server, sender, other, alice.id, summary.public_id,
                        f"http://localhost/s/{summary.public_id}", f"http://localhost/c/{comment.public_id}")
        yield site
    finally:
        wait_for_jobs(app)
        with app.app_context():
            _truncate_all()
            db.engine.dispose()


def inbox_item(app: Flask, activity_id: str) -> InboxItem | None:
    """The stored inbox item of an activity, or None."""
    with app.app_context():
        item = db.session.scalar(select(InboxItem).where(InboxItem.activity_uri == activity_id))
        if item is not None:
            db.session.expunge(item)
        return item


def comment_html(app: Flask, note_id: Any) -> str | None:
    """The stored HTML of the remote comment with this Note id, or None."""
    if not isinstance(note_id, str):
        return None
    with app.app_context():
        return db.session.scalar(select(Comment.html).where(Comment.uri == note_id))


def summary_of(app: Flask, note_id: str) -> tuple[str, str] | None:
    """(public id, stored HTML) of the remote summary with this Note id, or None."""
    with app.app_context():
        row = db.session.execute(select(Summary.public_id, Summary.html).where(Summary.uri == note_id)).first()
        return (row[0], row[1]) if row is not None else None
