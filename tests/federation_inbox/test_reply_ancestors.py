"""Replies whose parent we lack: the missing ancestors are fetched (signed GETs from the inbox job) from a real HTTP
server on 127.0.0.1 up `inReplyTo` until a thread we hold, and stored top-down with the reply, or nothing is."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from fediscience.activitypub import AS_CONTEXT, PUBLIC
from fediscience.activitypub.keys import KeyPair
from fediscience.comments.models import Comment
from fediscience.db import db
from fediscience.federation.blocks import block_domain
from fediscience.federation.guard import AddressPolicy
from fediscience.federation.ingest import ancestors
from fediscience.federation.models import Notification
from fediscience.summaries.services import create_summary
from fediscience.users.models import Actor
from fediscience.users.services import register_user
from tests.conftest import running_app
from tests.federation_inbox.conftest import Local, Remote, RemoteServer, activity, count, deliver, make_remote, process
from tests.federation_inbox.notes import parse, reply_note, statuses
from tests.helpers import PASSWORD, make_paper

DEPTH = 3


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """The inbox tests' app (may reach 127.0.0.1) fetching at most DEPTH missing ancestors."""
    with running_app(database_url, tmp_path, allow_private_addresses=True,
                     reply_ancestor_depth=DEPTH) as application:
        yield application


@pytest.fixture
def summary_url(app: Flask, alice: Local) -> str:
    """Alice's public summary."""
    with app.app_context():
        summary = create_summary(db.session.get(Actor, alice.actor_id), make_paper("Threads"), "Words.",
                                 draft=False, private=False)
        db.session.commit()
        return f"http://localhost/s/{summary.public_id}"


@pytest.fixture
def carol(app: Flask, remote_instance: RemoteServer, key_pairs: list[KeyPair]) -> Remote:
    """A remote actor served by the remote instance but unknown here (fetched when an ancestor is hers)."""
    with app.app_context():
        return make_remote(remote_instance, "carol", key_pairs[2], store=False)


def serve_note(server: RemoteServer, author: Remote, key: str, in_reply_to: str | None, **extra: Any) -> str:
    """Serve a public Note by `author` at /notes/<key> replying to `in_reply_to`; its id."""
    path = f"/notes/{key}"
    note = {
        "@context": AS_CONTEXT, "id": server.base + path, "type": "Note", "attributedTo": author.uri,
        "inReplyTo": in_reply_to, "to": [PUBLIC], "cc": [f"{author.uri}/followers"],
        "url": f"{server.base}/@{author.path.rsplit('/', 1)[1]}/{key}", "content": f"<p>Note {key}.</p>",
        "published": "2025-06-01T10:00:00Z", **extra,
    }
    server.documents[path] = (200, note)
    return note["id"]


def serve_chain(server: RemoteServer, authors: list[Remote], top_parent: str, length: int, prefix: str) -> str:
    """Serve `length` Notes, each replying to the previous, the first to `top_parent`; the last one's id."""
    parent = top_parent
    for index in range(length):
        parent = serve_note(server, authors[index % len(authors)], f"{prefix}{index}", parent)
    return parent


def _comments(app: Flask) -> dict[str, tuple[str | None, str]]:
    """Remote comments: Note id → (parent's Note id or None, author's id)."""
    with app.app_context():
        rows = db.session.scalars(select(Comment).where(Comment.uri.is_not(None))).all()
        by_id = {row.id: row.uri for row in rows}
        return {row.uri: (by_id.get(row.parent_id), row.author.uri) for row in rows}


def _note_gets(server: RemoteServer) -> int:
    return sum(1 for method, path in server.requests if method == "GET" and path.startswith("/notes/"))


def test_a_reply_to_an_unknown_comment_fetches_the_chain_and_threads_it(
    app: Flask, client: Any, remote_instance: RemoteServer, mallory: Remote, trent: Remote, carol: Remote,
    alice: Local, summary_url: str,
) -> None:
    last = serve_chain(remote_instance, [carol, trent], summary_url, DEPTH, "a")
    reply = reply_note(mallory, "r", last, "<p>The reply.</p>")
    deliver(client, mallory, activity(mallory, "Create", reply))
    process(app)

    assert statuses(app) == ["done"]
    base = remote_instance.base
    assert _comments(app) == {
        f"{base}/notes/a0": (None, carol.uri),
        f"{base}/notes/a1": (f"{base}/notes/a0", trent.uri),
        f"{base}/notes/a2": (f"{base}/notes/a1", carol.uri),
        reply["id"]: (f"{base}/notes/a2", mallory.uri),
    }
    assert remote_instance.gets(carol.path) == 1  # the unknown author was fetched, once
    with app.app_context():
        stored = db.session.scalar(select(Comment).where(Comment.uri == f"{base}/notes/a0"))
        assert stored.url == f"{base}/@carol/a0" and stored.source == "Note a0."
        assert db.session.scalar(select(Actor.username).where(Actor.uri == carol.uri)) == "carol"
        kinds = list(db.session.scalars(select(Notification.kind).where(Notification.recipient_id == alice.actor_id)))
    assert kinds == ["comment"] * 4

    page = parse(client.get(summary_url.removeprefix("http://localhost")).get_data(as_text=True))
    nested = page.xpath('//li[contains(., "Note a0.")]//li[contains(., "Note a1.")]//li[contains(., "Note a2.")]'
                        '//li[contains(., "The reply.")]')
    assert nested, "the four comments are nested in order on the summary page"

    # The same reply again (another activity): counted once, nothing fetched again.
    gets = _note_gets(remote_instance)
    deliver(client, mallory, activity(mallory, "Create", reply))
    process(app)
    assert statuses(app) == ["done", "done"]
    assert count(app, Comment, Comment.uri.is_not(None)) == 4 and _note_gets(remote_instance) == gets


def test_the_walk_stops_at_a_remote_comment_we_already_hold(
    app: Flask, client: Any, remote_instance: RemoteServer, mallory: Remote, trent: Remote, summary_url: str,
) -> None:
    first = serve_note(remote_instance, trent, "held", summary_url)
    deliver(client, trent, activity(trent, "Create", remote_instance.documents["/notes/held"][1]))
    process(app)
    second = serve_note(remote_instance, trent, "b1", first)
    deliver(client, mallory, activity(mallory, "Create", reply_note(mallory, "r", second)))
    process(app)

    assert statuses(app) == ["done", "done"]
    assert remote_instance.gets("/notes/held") == 0 and remote_instance.gets("/notes/b1") == 1
    assert _comments(app)[second] == (first, trent.uri)


def test_a_chain_longer_than_the_depth_stores_nothing(
    app: Flask, client: Any, remote_instance: RemoteServer, mallory: Remote, trent: Remote, summary_url: str,
) -> None:
    last = serve_chain(remote_instance, [trent], summary_url, DEPTH + 1, "d")
    deliver(client, mallory, activity(mallory, "Create", reply_note(mallory, "r", last)))
    process(app)

    assert statuses(app) == ["ignored"]
    assert count(app, Comment) == 0
    assert _note_gets(remote_instance) == DEPTH  # it gave up instead of fetching the top


def test_a_cycle_stores_nothing_and_ends(
    app: Flask, client: Any, remote_instance: RemoteServer, mallory: Remote, trent: Remote, summary_url: str,
) -> None:
    base = remote_instance.base
    serve_note(remote_instance, trent, "c1", f"{base}/notes/c2")
    serve_note(remote_instance, trent, "c2", f"{base}/notes/c1")
    selfish = serve_note(remote_instance, trent, "c3", f"{base}/notes/c3")
    started = time.monotonic()
    deliver(client, mallory, activity(mallory, "Create", reply_note(mallory, "r1", f"{base}/notes/c1")))
    deliver(client, mallory, activity(mallory, "Create", reply_note(mallory, "r2", selfish)))
    process(app)

    assert time.monotonic() - started < 20
    assert statuses(app) == ["ignored", "ignored"]
    assert count(app, Comment) == 0
    assert remote_instance.gets("/notes/c1") == 1 and remote_instance.gets("/notes/c2") == 1
    assert remote_instance.gets("/notes/c3") == 1


@pytest.mark.parametrize("status", [404, 410])
def test_a_gone_ancestor_stores_nothing(
    app: Flask, client: Any, remote_instance: RemoteServer, mallory: Remote, trent: Remote, summary_url: str,
    status: int,
) -> None:
    top = serve_note(remote_instance, trent, "top", summary_url)
    middle = serve_note(remote_instance, trent, "middle", top)
    remote_instance.documents["/notes/top"] = (status, {"error": "gone"})
    deliver(client, mallory, activity(mallory, "Create", reply_note(mallory, "r", middle)))
    process(app)

    assert statuses(app) == ["ignored"]
    assert count(app, Comment) == 0
    assert remote_instance.gets("/notes/top") == 1


def _broken_ancestors(server: RemoteServer, trent: Remote, carol: Remote, summary_url: str) -> dict[str, str]:
    """Ancestors (each replying to the summary) that must not be stored: case → the id a reply answers."""
    base = server.base
    wrong_id = serve_note(server, trent, "wrong-id", summary_url)
    server.documents["/notes/wrong-id"][1]["id"] = f"{base}/notes/elsewhere"
    foreign = serve_note(server, trent, "foreign", summary_url, attributedTo="https://other.example/users/eve")
    direct = serve_note(server, trent, "direct", summary_url, to=[trent.uri], cc=[])
    empty = serve_note(server, trent, "empty", summary_url, content="<script>x()</script>")
    article = serve_note(server, trent, "article", summary_url, type="Article")
    carol_gone = serve_note(server, carol, "by-gone-actor", summary_url)
    server.documents.pop(carol.path)
    not_json = serve_note(server, trent, "not-json", summary_url)
    server.documents["/notes/not-json"] = (200, ["a", "list"])
    return {
        "id differs from the URL": wrong_id, "author on another host": foreign, "not public": direct,
        "nothing left once sanitised": empty, "not a Note": article, "author cannot be fetched": carol_gone,
        "not an object": not_json, "not http": "ftp://127.0.0.1/notes/1",
        "our own unknown id": "http://localhost/c/nope",
        "a missing chain top": serve_note(server, trent, "top-less", None),
    }


def test_invalid_ancestors_store_nothing(
    app: Flask, client: Any, remote_instance: RemoteServer, mallory: Remote, trent: Remote, carol: Remote,
    summary_url: str,
) -> None:
    with app.app_context():  # known here, so only the host rule refuses her Note on trent's server
        db.session.add(Actor(local=False, username="eve", domain="other.example", uri="https://other.example/users/eve",
                             inbox_url="https://other.example/users/eve/inbox"))
        db.session.commit()
    cases = _broken_ancestors(remote_instance, trent, carol, summary_url)
    for index, parent in enumerate(cases.values()):
        deliver(client, mallory, activity(mallory, "Create", reply_note(mallory, f"r{index}", parent)))
    process(app)

    assert dict(zip(cases, statuses(app))) == dict.fromkeys(cases, "ignored")
    assert count(app, Comment) == 0


def test_a_guard_refusal_or_a_blocked_domain_stores_nothing(
    app: Flask, client: Any, remote_instance: RemoteServer, mallory: Remote, trent: Remote, summary_url: str,
) -> None:
    top = serve_note(remote_instance, trent, "guarded", summary_url)
    with app.app_context():
        block_domain("blocked.example")
        db.session.commit()
    app.extensions["fediscience.fetch_policy"] = AddressPolicy(allow_private=False)  # loopback is refused now
    deliver(client, mallory, activity(mallory, "Create", reply_note(mallory, "r1", top)))
    deliver(client, mallory, activity(mallory, "Create", reply_note(mallory, "r2", "https://blocked.example/n/1")))
    process(app)

    assert statuses(app) == ["ignored", "ignored"]
    assert count(app, Comment) == 0 and remote_instance.gets("/notes/guarded") == 0


def test_a_chain_to_a_private_summary_stores_nothing(
    app: Flask, client: Any, remote_instance: RemoteServer, mallory: Remote, trent: Remote, alice: Local,
) -> None:
    with app.app_context():
        private = create_summary(db.session.get(Actor, alice.actor_id), make_paper("Hidden"), "Private.",
                                 draft=False, private=True)
        db.session.commit()
        url = f"http://localhost/s/{private.public_id}"
    top = serve_note(remote_instance, trent, "p1", url)
    deliver(client, mallory, activity(mallory, "Create", reply_note(mallory, "r", top)))
    process(app)

    assert statuses(app) == ["ignored"] and count(app, Comment) == 0


def test_a_slow_ancestor_ends_the_walk_within_its_budget_and_pauses_its_host(
    app: Flask, client: Any, remote_instance: RemoteServer, mallory: Remote, trent: Remote, summary_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A server answering slowly on purpose must not hold the worker: the walk ends at its budget, and that host is
    not walked to again for a while."""
    monkeypatch.setattr(ancestors, "WALK_BUDGET", 1.0)
    monkeypatch.setattr(ancestors, "_STALLED", {})
    slow = serve_note(remote_instance, trent, "slow", summary_url)
    remote_instance.delays["/notes/slow"] = 4.0
    started = time.monotonic()
    deliver(client, mallory, activity(mallory, "Create", reply_note(mallory, "r1", slow)))
    process(app)
    assert time.monotonic() - started < 3.0
    assert statuses(app) == ["ignored"]

    quick = serve_note(remote_instance, trent, "quick", summary_url)
    gets = _note_gets(remote_instance)
    deliver(client, mallory, activity(mallory, "Create", reply_note(mallory, "r2", quick)))
    process(app)
    assert statuses(app) == ["ignored", "ignored"] and _note_gets(remote_instance) == gets  # the host is paused
    assert count(app, Comment, Comment.uri.is_not(None)) == 0


def test_the_depth_is_a_setting_of_eight_by_default(tmp_path: Path) -> None:
    from fediscience.config import Settings

    assert Settings(instance_path=tmp_path).reply_ancestor_depth == 8
    assert Settings(instance_path=tmp_path, reply_ancestor_depth=0).reply_ancestor_depth == 0
    with pytest.raises(ValueError):
        Settings(instance_path=tmp_path, reply_ancestor_depth=-1)


def test_a_local_user_in_the_thread_is_notified_once(
    app: Flask, client: Any, remote_instance: RemoteServer, mallory: Remote, trent: Remote, summary_url: str,
) -> None:
    with app.app_context():
        bob = register_user("bob", "bob@example.org", PASSWORD).actor
        db.session.commit()
        bob_url, bob_id = f"http://localhost/u/{bob.public_id}", bob.id
    mention = [{"type": "Mention", "href": bob_url, "name": "@bob@localhost"}]
    top = serve_note(remote_instance, trent, "m1", summary_url, tag=mention)
    deliver(client, mallory, activity(mallory, "Create", reply_note(mallory, "r", top, tag=mention)))
    process(app)

    assert statuses(app) == ["done"]
    with app.app_context():
        rows = db.session.execute(select(Notification.kind, Notification.object_url, Notification.comment_id)
                                  .where(Notification.recipient_id == bob_id).order_by(Notification.id)).all()
    assert [(kind, url) for kind, url, _ in rows] == [
        ("mention", f"{remote_instance.base}/@trent/m1"), ("mention", f"{mallory.uri.replace('/users/', '/@')}/r"),
    ]
    assert all(comment_id is not None for _, _, comment_id in rows)
