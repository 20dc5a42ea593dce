"""The inbox's accept path: a cached signer costs one INSERT; the key and block caches are stale for at most their TTL.

"Another process" is a second app on the same database: it has caches of its own, as another web worker or the CLI
would, so what it commits reaches the first app only through the TTL.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from sqlalchemy import event, select, text
from sqlalchemy.engine import Engine

from fediscience import create_app
from fediscience.activitypub.keys import KeyPair
from fediscience.db import db
from fediscience.federation.blocks import block_domain, unblock_domain
from fediscience.federation.inbox_cache import caches
from fediscience.federation.models import Follow, InboxItem
from fediscience.users.models import Actor
from tests.conftest import _ensure_migrated, _settings, _truncate_all
from tests.federation_inbox.conftest import (
    Local, Remote, RemoteServer, activity, count, deliver, make_remote, process,
)

TTL = 0.5


@pytest.fixture
def elsewhere(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """A second app on the same database, standing for another process with caches of its own."""
    other = create_app(_settings(tmp_path / "elsewhere", database_url, allow_private_addresses=True))
    yield other
    with other.app_context():
        db.engine.dispose()


@pytest.fixture
def short_ttls(app: Flask) -> Flask:
    """The app with both caches' TTLs cut to TTL seconds, so that a test can wait them out."""
    own = caches(app)
    own.keys.ttl = own.blocked.ttl = TTL
    return app


def _statements_in_this_thread(monkeypatch: pytest.MonkeyPatch) -> tuple[list[str], Any]:
    """Every SQL statement run by this thread on any engine, and any sent straight through psycopg (the accept
    path's own PostgreSQL connection)."""
    import psycopg

    statements: list[str] = []
    me = threading.get_ident()

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if threading.get_ident() == me:
            statements.append(statement)

    direct = psycopg.Connection.execute

    def execute(connection: Any, query: Any, *args: Any, **kwargs: Any) -> Any:
        if threading.get_ident() == me:
            statements.append(str(query))
        return direct(connection, query, *args, **kwargs)

    monkeypatch.setattr(psycopg.Connection, "execute", execute)
    event.listen(Engine, "before_cursor_execute", record)
    return statements, lambda: event.remove(Engine, "before_cursor_execute", record)


def _set_key(app: Flask, remote: Remote, key: KeyPair) -> None:
    with app.app_context():
        actor = db.session.scalar(select(Actor).where(Actor.uri == remote.uri))
        actor.public_key_pem = key.public_pem
        db.session.commit()


# The cost of a cached delivery ------------------------------------------------------------------------------


def test_a_cached_signer_costs_one_insert_and_no_other_query(
    app: Flask, client: Any, mallory: Remote, alice: Local, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert deliver(client, mallory, activity(mallory, "Follow", alice.url)).status_code == 202  # fills the caches
    statements, stop = _statements_in_this_thread(monkeypatch)
    try:
        response = deliver(client, mallory, activity(mallory, "Follow", alice.url))
    finally:
        stop()
    assert response.status_code == 202
    assert len(statements) == 1 and statements[0].startswith("INSERT INTO inbox_items"), statements
    process(app)
    assert count(app, InboxItem, InboxItem.status == "done") == 2


def test_a_stored_connection_the_server_closed_is_replaced_without_an_error(
    postgres_url: str, tmp_path: Path, remote_instance: RemoteServer, key_pairs: list[KeyPair]
) -> None:
    _ensure_migrated(postgres_url, tmp_path)  # PostgreSQL only: the accept path's own engine has no pre-ping
    app = create_app(_settings(tmp_path, postgres_url, allow_private_addresses=True))
    client = app.test_client()
    try:
        with app.app_context():
            mallory = make_remote(remote_instance, "mallory", key_pairs[0])
        assert deliver(client, mallory, activity(mallory, "Like", f"{mallory.uri}/x")).status_code == 202
        process(app)
        with app.app_context():  # as a server restart does to every pooled connection
            db.session.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"))
            db.session.commit()

        assert deliver(client, mallory, activity(mallory, "Like", f"{mallory.uri}/y")).status_code == 202
        assert count(app, InboxItem) == 2
    finally:
        process(app)
        with app.app_context():
            _truncate_all()
            db.engine.dispose()


# Blocked domains ----------------------------------------------------------------------------------------------


def test_a_block_committed_here_applies_at_once(app: Flask, client: Any, mallory: Remote, alice: Local) -> None:
    assert deliver(client, mallory, activity(mallory, "Follow", alice.url)).status_code == 202
    with app.app_context():
        block_domain(mallory.uri)
        db.session.commit()
    refused = deliver(client, mallory, activity(mallory, "Follow", alice.url))
    assert refused.status_code == 403 and refused.get_json()["code"] == "domain_blocked"
    with app.app_context():
        unblock_domain(mallory.uri)
        db.session.commit()
    assert deliver(client, mallory, activity(mallory, "Follow", alice.url)).status_code == 202
    assert count(app, InboxItem) == 2


def test_a_block_committed_elsewhere_applies_within_the_ttl_and_the_job_rejects_what_got_in(
    short_ttls: Flask, elsewhere: Flask, client: Any, mallory: Remote, alice: Local
) -> None:
    app = short_ttls
    assert deliver(client, mallory, activity(mallory, "Like", f"{alice.url}/x")).status_code == 202
    process(app)
    with elsewhere.app_context():
        block_domain(mallory.uri)
        db.session.commit()
    blocked_at = time.monotonic()

    stale = deliver(client, mallory, activity(mallory, "Follow", alice.url))
    if time.monotonic() - blocked_at < TTL:  # a slow machine may already be past the TTL
        assert stale.status_code == 202  # the documented staleness: this process has not reloaded yet
    process(app)
    time.sleep(max(0.0, blocked_at + TTL + 0.05 - time.monotonic()))
    refused = deliver(client, mallory, activity(mallory, "Follow", alice.url))

    assert refused.status_code == 403
    assert count(app, InboxItem) == (2 if stale.status_code == 202 else 1)
    assert count(app, Follow) == 0  # what got in during the TTL was rejected by its job, which reads the database
    with app.app_context():
        follows = list(db.session.execute(select(InboxItem.status, InboxItem.error).where(
            InboxItem.activity_type == "Follow")))
    blocked = f"the domain {urlsplit(mallory.uri).netloc} is blocked on this instance"
    assert follows == ([("rejected", blocked)] if stale.status_code == 202 else [])


def test_an_unblock_committed_elsewhere_applies_within_the_ttl(
    short_ttls: Flask, elsewhere: Flask, client: Any, mallory: Remote, alice: Local
) -> None:
    app = short_ttls
    with app.app_context():
        block_domain(mallory.uri)
        db.session.commit()
    assert deliver(client, mallory, activity(mallory, "Follow", alice.url)).status_code == 403
    with elsewhere.app_context():
        unblock_domain(mallory.uri)
        db.session.commit()
    time.sleep(TTL + 0.05)
    assert deliver(client, mallory, activity(mallory, "Follow", alice.url)).status_code == 202
    process(app)
    assert count(app, Follow) == 1


# Signer keys --------------------------------------------------------------------------------------------------


def test_a_key_changed_here_is_dropped_from_the_cache_at_once(
    app: Flask, client: Any, mallory: Remote, remote_instance: RemoteServer, key_pairs: list[KeyPair], alice: Local
) -> None:
    assert deliver(client, mallory, activity(mallory, "Follow", alice.url)).status_code == 202
    _set_key(app, mallory, key_pairs[3])  # the stored key is now another one; the remote still serves the old one

    response = deliver(client, mallory, activity(mallory, "Follow", alice.url))

    assert response.status_code == 202
    assert remote_instance.gets(mallory.path) == 1  # the cached key was dropped: the stored one failed, refetched


def test_an_actor_deleted_here_is_dropped_from_the_cache_at_once(
    app: Flask, client: Any, remote_instance: RemoteServer, key_pairs: list[KeyPair], alice: Local
) -> None:
    with app.app_context():
        newcomer = make_remote(remote_instance, "newcomer", key_pairs[2], store=False)
    assert deliver(client, newcomer, activity(newcomer, "Like", f"{alice.url}/x")).status_code == 202
    assert remote_instance.gets(newcomer.path) == 1
    process(app)
    with app.app_context():
        db.session.delete(db.session.scalar(select(Actor).where(Actor.uri == newcomer.uri)))
        db.session.commit()

    assert deliver(client, newcomer, activity(newcomer, "Like", f"{alice.url}/y")).status_code == 202
    assert remote_instance.gets(newcomer.path) == 2


def test_a_key_rotated_elsewhere_verifies_from_the_stored_row_without_a_fetch(
    app: Flask, elsewhere: Flask, client: Any, mallory: Remote, remote_instance: RemoteServer,
    key_pairs: list[KeyPair], alice: Local,
) -> None:
    assert deliver(client, mallory, activity(mallory, "Follow", alice.url)).status_code == 202
    _set_key(elsewhere, mallory, key_pairs[3])  # e.g. the worker processed an Update of mallory

    response = deliver(client, mallory, activity(mallory, "Follow", alice.url), key=key_pairs[3])

    assert response.status_code == 202
    assert remote_instance.requests == []


def test_a_stale_cached_key_is_trusted_for_at_most_the_ttl(
    short_ttls: Flask, elsewhere: Flask, client: Any, mallory: Remote, remote_instance: RemoteServer,
    key_pairs: list[KeyPair], alice: Local,
) -> None:
    app = short_ttls
    assert deliver(client, mallory, activity(mallory, "Follow", alice.url)).status_code == 202
    remote_instance.documents[mallory.path] = (200, mallory.document(key_pairs[3]))
    _set_key(elsewhere, mallory, key_pairs[3])  # mallory rotated her key; another process stored the new one
    rotated_at = time.monotonic()

    old_key = deliver(client, mallory, activity(mallory, "Follow", alice.url))
    if time.monotonic() - rotated_at < TTL:
        assert old_key.status_code == 202  # the documented staleness
    time.sleep(max(0.0, rotated_at + TTL + 0.05 - time.monotonic()))
    refused = deliver(client, mallory, activity(mallory, "Follow", alice.url))

    assert refused.status_code == 401
    assert remote_instance.gets(mallory.path) == 1  # the stored key failed too, so it was refetched once
    assert count(app, InboxItem) == (2 if old_key.status_code == 202 else 1)
