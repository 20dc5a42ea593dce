"""The sweeper queues a drain for lost inbox items; leases keep one worker per item; `fediscience domains` blocks hosts."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from sqlalchemy import select

from fediscience.cli import main
from fediscience.db import db, utcnow
from fediscience.errors import Invalid
from fediscience.federation.blocks import block_domain, normalize_domain
from fediscience.federation.inbox import hosts_of
from fediscience.federation.models import Follow, InboxItem, RemoteHost
from fediscience.jobs.inbox import process_inbox_item
from fediscience.jobs.maintenance import sweep
from tests.federation_inbox.conftest import Local, Remote, activity, count, deliver, process
from tests.helpers import TEST_SECRET


def _store(app: Flask, payload: dict[str, Any], **fields: Any) -> int:
    with app.app_context():
        item = InboxItem(activity_uri=payload["id"], actor_uri=payload["actor"], activity_type=payload["type"],
                         payload=payload, **fields)
        db.session.add(item)
        db.session.commit()
        return item.id


def test_the_sweeper_queues_a_drain_for_items_whose_job_was_lost(app: Flask, mallory: Remote, alice: Local) -> None:
    old = utcnow() - timedelta(minutes=10)
    recent = _store(app, activity(mallory, "Like", "http://localhost/s/x"), received_at=utcnow())  # a drain is due
    leased = _store(app, activity(mallory, "Like", "http://localhost/s/y"), received_at=old, retry_at=utcnow() + timedelta(
        minutes=3))  # held by a worker
    with app.app_context():
        assert sweep() == 0
    process(app)
    with app.app_context():
        assert list(db.session.scalars(select(InboxItem.status).order_by(InboxItem.id))) == ["pending", "pending"]

    lost = _store(app, activity(mallory, "Follow", alice.url), received_at=old)
    with app.app_context():
        assert sweep() == 1
    process(app)
    with app.app_context():
        assert db.session.get(InboxItem, lost).status == "done"
        assert db.session.scalar(select(Follow.state)) == "accepted"
        assert db.session.get(InboxItem, recent).status != "pending"  # the drain takes every due item
        assert db.session.get(InboxItem, leased).status == "pending"


def test_an_item_is_processed_once(app: Flask, mallory: Remote, alice: Local) -> None:
    item_id = _store(app, activity(mallory, "Follow", alice.url))
    with app.app_context():
        process_inbox_item(item_id)
        process_inbox_item(item_id)
        item = db.session.get(InboxItem, item_id)
        assert (item.status, item.attempts) == ("done", 1)
    assert count(app, Follow) == 1


def test_a_failing_item_is_retried_later_then_given_up(app: Flask, mallory: Remote, alice: Local) -> None:
    broken = activity(mallory, "Follow", alice.url, actor="http://127.0.0.1:9/users/unreachable")
    item_id = _store(app, broken)
    delays = app.extensions["fediscience.settings"].job_retry_delays
    with app.app_context():
        for attempt in range(len(delays) + 1):
            process_inbox_item(item_id)
            item = db.session.get(InboxItem, item_id)
            if item.status == "pending":
                assert item.retry_at > utcnow() and item.error
                item.retry_at = utcnow() - timedelta(seconds=1)
                db.session.commit()
        assert (item.status, item.attempts) == ("failed", len(delays) + 1)


def test_block_normalises_and_refuses_nonsense(app_context: Flask) -> None:
    assert normalize_domain(" HTTPS://Evil.Example:8443/path ") == "evil.example:8443"
    assert normalize_domain("@user@Bad.Example.") == "bad.example"
    for nonsense in ("", "not a domain", "exa_mple.org", "-bad.org", "host:99999"):
        with pytest.raises(Invalid):
            normalize_domain(nonsense)
    assert {"a.b.example.org", "b.example.org", "example.org", "a.b.example.org:8443"} <= hosts_of(
        ["https://a.b.example.org:8443/users/x"])


def test_a_blocked_parent_domain_blocks_its_subdomains(
    app: Flask, client: Any, mallory: Remote, alice: Local
) -> None:
    with app.app_context():
        block_domain("0.0.1")  # not a parent of an IP address: no effect
        db.session.commit()
    assert deliver(client, mallory, activity(mallory, "Follow", alice.url)).status_code == 202
    obj = {"id": "https://spam.evil.example/notes/1", "type": "Note"}
    with app.app_context():
        block_domain("evil.example", "spam")
        db.session.commit()
    refused = deliver(client, mallory, activity(mallory, "Create", obj, actor="https://spam.evil.example/users/x"))
    assert refused.status_code == 403
    assert count(app, InboxItem) == 1


def test_the_domains_commands(app: Flask, database_url: str, tmp_path: Path) -> None:
    env = {"FEDISCIENCE_DATABASE_URL": database_url, "FEDISCIENCE_INSTANCE_PATH": str(tmp_path / "cli"),
           "FEDISCIENCE_SECRET_KEY": TEST_SECRET, "FEDISCIENCE_BASE_URL": "http://localhost"}
    runner = CliRunner()

    assert runner.invoke(main, ["domains", "list"], env=env).output.strip() == "no domain is blocked"
    result = runner.invoke(main, ["domains", "block", "Spam.Example", "--reason", "floods"], env=env)
    assert result.exit_code == 0 and "blocked spam.example" in result.output
    assert runner.invoke(main, ["domains", "list"], env=env).output.strip() == "spam.example\tfloods"
    bad = runner.invoke(main, ["domains", "block", "not a domain"], env=env)
    assert bad.exit_code != 0 and "is not a domain name" in bad.output
    assert runner.invoke(main, ["domains", "unblock", "spam.example"], env=env).exit_code == 0
    again = runner.invoke(main, ["domains", "unblock", "spam.example"], env=env)
    assert again.exit_code != 0 and "is not blocked" in again.output
    with app.app_context():
        row = db.session.get(RemoteHost, "spam.example")
        assert row is not None and not row.blocked
