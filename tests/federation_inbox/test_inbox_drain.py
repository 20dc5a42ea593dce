"""The coalesced drain: one job per burst, every item processed exactly once (also by two concurrent drains),
in arrival order; the sweeper rescues items whose drain was lost; a Redis outage still stores and answers 202."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from redis import Redis
from sqlalchemy import select, update

from fediscience import create_app
from fediscience.config import Settings
from fediscience.db import db, utcnow
from fediscience.federation.models import Follow, InboxItem
from fediscience.jobs import inbox as inbox_jobs
from fediscience.jobs.inbox import drain_flag_key, drain_inbox
from fediscience.jobs.maintenance import sweep
from fediscience.jobs.worker import run_worker
from tests.conftest import _settings, _truncate_all
from tests.federation_inbox.conftest import Remote, activity, count, deliver, make_remote, process
from tests.papers.recorded import recorded_transport
from tests.system import harness

REDIS_DB = 8


def _store(app: Flask, payloads: list[dict[str, Any]], **fields: Any) -> list[int]:
    with app.app_context():
        items = [InboxItem(activity_uri=p["id"], actor_uri=p["actor"], activity_type=p["type"], payload=p, **fields)
                 for p in payloads]
        db.session.add_all(items)
        db.session.commit()
        return [item.id for item in items]


def _listens(remote: Remote, how_many: int) -> list[dict[str, Any]]:
    """Activities no handler acts on (processed as "ignored"): cheap items whose processing leaves a trace."""
    return [activity(remote, "Listen", f"{remote.uri}/tracks/{number}") for number in range(how_many)]


def _rows(app: Flask) -> list[tuple[int, str, int]]:
    with app.app_context():
        rows = db.session.execute(select(InboxItem.id, InboxItem.status, InboxItem.attempts).order_by(InboxItem.id))
        return [tuple(row) for row in rows]


# With the thread runner (the embedded default) -------------------------------------------------------------


def test_two_concurrent_drains_process_every_item_exactly_once(
    app: Flask, mallory: Remote, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(inbox_jobs, "BATCH", 3)  # many small claims, so that the two drains interleave
    ids = _store(app, _listens(mallory, 40))
    start, done = threading.Barrier(2), []

    def drain() -> None:
        with app.app_context():
            start.wait()
            done.append(drain_inbox())
            db.session.remove()

    threads = [threading.Thread(target=drain) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    process(app)  # a drain that ends re-arms if it sees items the other one was claiming: let that one finish too
    assert len(done) == 2 and 0 < sum(done) <= len(ids)
    assert _rows(app) == [(item_id, "ignored", 1) for item_id in ids]  # each claimed and processed exactly once


def test_a_drain_processes_oldest_first_and_hands_over_when_its_budget_is_spent(
    app: Flask, mallory: Remote, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(inbox_jobs, "BATCH", 3)
    monkeypatch.setattr(inbox_jobs, "DRAIN_BUDGET", 0.0)
    ids = _store(app, _listens(mallory, 5))
    with app.app_context():
        assert drain_inbox() == 1  # one item, then the budget is spent: the rest of the batch is given back
    process(app)  # only the successors can have processed the other four
    assert _rows(app) == [(item_id, "ignored", 1) for item_id in ids]
    with app.app_context():
        processed = list(db.session.scalars(select(InboxItem.id).order_by(InboxItem.processed_at, InboxItem.id)))
    assert processed == ids


def test_deliveries_are_processed_one_drain_at_a_time_in_arrival_order(
    app: Flask, client: Any, mallory: Remote
) -> None:
    for listen in _listens(mallory, 8):
        assert deliver(client, mallory, listen).status_code == 202
    process(app)
    with app.app_context():
        processed = list(db.session.scalars(select(InboxItem.id).order_by(InboxItem.processed_at, InboxItem.id)))
    assert processed == sorted(processed) and len(processed) == 8
    assert [row[1:] for row in _rows(app)] == [("ignored", 1)] * 8


def test_a_leased_or_retrying_item_waits_for_its_time(app: Flask, mallory: Remote) -> None:
    later = utcnow() + timedelta(minutes=3)
    [leased] = _store(app, _listens(mallory, 1), retry_at=later, attempts=1)
    [fresh] = _store(app, _listens(mallory, 1))
    with app.app_context():
        assert drain_inbox() == 1
    assert _rows(app) == [(leased, "pending", 1), (fresh, "ignored", 1)]


# With RQ on Redis --------------------------------------------------------------------------------------------


def _redis_settings(tmp_path: Path, database_url: str, redis_url: str, queue: str = "fediscience") -> Settings:
    settings = _settings(tmp_path, database_url, allow_private_addresses=True, queue_name=queue)
    return settings.model_copy(update={"redis_url": redis_url})


@pytest.fixture
def rq_app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """An app whose jobs go to RQ on Redis (a queue of its own), for the flag and the real worker."""
    redis = harness.redis_connection(REDIS_DB)
    queue = harness.unique_queue_name("inbox-drain")
    application = create_app(_redis_settings(tmp_path, database_url, f"{harness.REDIS_HOST_URL}/{REDIS_DB}", queue))
    application.config["TESTING"] = True
    application.extensions["fediscience.http_transport"] = recorded_transport()
    yield application
    harness.delete_queue_keys(redis, queue)
    redis.delete(drain_flag_key(application))
    with application.app_context():
        if database_url.startswith("postgresql"):
            _truncate_all()
        db.engine.dispose()


def _queued(app: Flask) -> list[str]:
    return [job.func_name for job in app.extensions["fediscience.jobs"].queue.get_jobs()]


def _redis(app: Flask) -> Redis:
    return app.extensions["fediscience.jobs"].connection


def test_a_burst_of_deliveries_queues_one_drain_job_that_processes_them_all(
    rq_app: Flask, remote_instance: Any, key_pairs: list[Any]
) -> None:
    app, client = rq_app, rq_app.test_client()
    with app.app_context():
        alice_id = _register(app)
        mallory = make_remote(remote_instance, "mallory", key_pairs[0])
    follows = [activity(mallory, "Follow", f"http://localhost/u/{alice_id}") for _ in range(5)]

    for follow in follows:
        assert deliver(client, mallory, follow).status_code == 202

    assert _queued(app) == ["fediscience.jobs.inbox.drain_inbox"]
    assert [row[1] for row in _rows(app)] == ["pending"] * 5
    run_worker(app, burst=True)
    assert [row[1:] for row in _rows(app)] == [("done", 1)] * 5
    assert _redis(app).exists(drain_flag_key(app)) == 0
    assert count(app, Follow) == 1

    assert deliver(client, mallory, activity(mallory, "Undo", follows[0])).status_code == 202
    assert _queued(app) == ["fediscience.jobs.inbox.drain_inbox"]  # the next item queues the next drain


def test_a_drain_lost_from_redis_with_its_flag_left_set_is_rescued_by_the_sweeper(
    rq_app: Flask, remote_instance: Any, key_pairs: list[Any]
) -> None:
    app, client = rq_app, rq_app.test_client()
    with app.app_context():
        alice_id = _register(app)
        mallory = make_remote(remote_instance, "mallory", key_pairs[0])
    _redis(app).set(drain_flag_key(app), b"1", px=800)  # as a drain that Redis lost (or a killed one) leaves it

    assert deliver(client, mallory, activity(mallory, "Follow", f"http://localhost/u/{alice_id}")).status_code == 202
    assert _queued(app) == []
    with app.app_context():
        assert sweep() == 0  # not yet: it has waited less than a sweeper interval
        db.session.execute(update(InboxItem).values(received_at=utcnow() - timedelta(minutes=5)))
        db.session.commit()
        assert sweep() == 1 and _queued(app) == []  # the flag has not expired yet: nothing is queued twice
        time.sleep(0.9)
        assert sweep() == 1
    assert _queued(app) == ["fediscience.jobs.inbox.drain_inbox"]
    run_worker(app, burst=True)
    assert [row[1:] for row in _rows(app)] == [("done", 1)]


def test_with_redis_unreachable_the_item_is_still_stored_and_answered_202(
    database_url: str, tmp_path: Path, remote_instance: Any, key_pairs: list[Any]
) -> None:
    app = create_app(_redis_settings(tmp_path, database_url, "redis://127.0.0.1:9/0"))  # nothing listens on port 9
    try:
        with app.app_context():
            mallory = make_remote(remote_instance, "mallory", key_pairs[0])
        response = deliver(app.test_client(), mallory, activity(mallory, "Like", f"{mallory.uri}/x"))
        assert response.status_code == 202
        assert [row[1:] for row in _rows(app)] == [("pending", 0)]  # the sweeper queues its drain later
    finally:
        with app.app_context():
            if database_url.startswith("postgresql"):
                _truncate_all()
            db.engine.dispose()


def _register(app: Flask) -> str:
    from fediscience.users.services import register_user

    user = register_user(f"alice{uuid.uuid4().hex[:6]}", f"{uuid.uuid4().hex[:6]}@example.org", "correct horse battery")
    db.session.commit()
    return user.actor.public_id
