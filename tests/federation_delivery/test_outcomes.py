"""What each answer does to a delivery: done, retried with back-off (Retry-After honoured), given up."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from fediscience.activitypub.httpdate import format_http_date
from fediscience.db import db, utcnow
from fediscience.federation.models import Delivery, RemoteHost
from fediscience.federation.outbox import send_activity
from fediscience.jobs.deliver import sweep_deliveries
from tests.federation_delivery.conftest import Answer, note
from tests.helpers import wait_for_jobs


def _send(app, author, inboxes, kind="Create", n=1):
    activity = send_activity(author, note(author, n, kind), inboxes)
    db.session.commit()
    wait_for_jobs(app)
    return activity


def _row(activity_id: int) -> Delivery:
    db.session.expire_all()
    return db.session.scalars(select(Delivery).where(Delivery.activity_id == activity_id)).one()


def _retry_now(app) -> None:
    """Let the (millisecond) back-off pass, then let the sweeper send what is due."""
    time.sleep(0.05)
    db.session.commit()
    assert sweep_deliveries() >= 1
    wait_for_jobs(app)


def test_a_server_error_is_retried_with_back_off_then_delivered(ctx, author, receiver):
    receiver.answer("/inbox", Answer(500))
    before = utcnow()
    activity = _send(ctx, author, [receiver.url("/inbox")])
    row = _row(activity.id)
    assert (row.state, row.tries, row.last_status, row.last_error) == ("pending", 1, 500, "HTTP 500")
    assert row.next_try_at > before and row.lease_until is None
    host = db.session.get(RemoteHost, receiver.host)
    assert host.consecutive_failures == 1 and host.failure_days == [utcnow().date().isoformat()]

    _retry_now(ctx)
    row = _row(activity.id)
    assert (row.state, row.tries, row.last_status, row.last_error) == ("done", 2, 202, None)
    assert len(receiver.posts()) == 2 and all(r.verified for r in receiver.posts())
    db.session.expire_all()
    host = db.session.get(RemoteHost, receiver.host)
    assert (host.consecutive_failures, host.failure_days, host.unavailable) == (0, [], False)
    assert host.last_success_at is not None


@pytest.mark.parametrize("status", [400, 403, 404, 410, 422, 501])
def test_a_client_error_gives_up_at_once(ctx, author, receiver, status):
    receiver.answer("/inbox", Answer(status))
    activity = _send(ctx, author, [receiver.url("/inbox")])
    row = _row(activity.id)
    assert (row.state, row.tries, row.last_status) == ("gave_up", 1, status)
    assert row.finished_at is not None
    time.sleep(0.05)
    assert sweep_deliveries() == 0
    assert len(receiver.posts()) == 1


@pytest.mark.parametrize("status", [401, 408, 429, 502, 503])
def test_these_statuses_are_retried(ctx, author, receiver, status):
    receiver.answer("/inbox", Answer(status))
    activity = _send(ctx, author, [receiver.url("/inbox")])
    assert (_row(activity.id).state, _row(activity.id).last_status) == ("pending", status)


def test_retry_after_in_seconds_is_honoured_when_later_than_the_back_off(ctx, author, receiver):
    receiver.answer("/inbox", Answer(429, {"Retry-After": "120"}))
    before = utcnow()
    activity = _send(ctx, author, [receiver.url("/inbox")])
    row = _row(activity.id)
    assert row.state == "pending"
    assert before + timedelta(seconds=119) <= row.next_try_at <= utcnow() + timedelta(seconds=121)
    time.sleep(0.05)
    assert sweep_deliveries() == 0  # not due before the peer said


def test_retry_after_as_an_http_date_is_honoured(ctx, author, receiver):
    when = utcnow() + timedelta(minutes=10)
    receiver.answer("/inbox", Answer(503, {"Retry-After": format_http_date(when)}))
    activity = _send(ctx, author, [receiver.url("/inbox")])
    assert abs((_row(activity.id).next_try_at - when).total_seconds()) < 2


def test_the_last_try_gives_up(ctx, author, receiver):
    receiver.answer("/inbox", Answer(500), Answer(500))
    activity = _send(ctx, author, [receiver.url("/inbox")])
    db.session.execute(Delivery.__table__.update().values(tries=15))  # the 16th try comes next
    db.session.commit()
    _retry_now(ctx)
    row = _row(activity.id)
    assert (row.state, row.tries, row.last_status) == ("gave_up", 16, 500)


def test_a_timeout_is_retried(make_app, receiver, key_pair):
    from tests.federation_delivery.conftest import new_author

    app = make_app(delivery_read_timeout=0.2, delivery_total_timeout=0.5)
    receiver.answer("/slow", Answer(202, delay=1.0))
    with app.app_context():
        author = new_author("slowpoke", key_pair)
        activity = _send(app, author, [receiver.url("/slow")])
        row = _row(activity.id)
        assert (row.state, row.tries, row.last_status, row.last_error) == ("pending", 1, None, "timed out")


def test_a_closed_port_is_a_network_error_retried(ctx, author):
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    activity = _send(ctx, author, [f"http://127.0.0.1:{port}/inbox"])
    row = _row(activity.id)
    assert row.state == "pending" and row.last_error.startswith("cannot connect")


def test_private_addresses_are_refused_unless_allowed(make_app, receiver, key_pair):
    from tests.federation_delivery.conftest import new_author

    app = make_app(allow_private_addresses=False, base_url="http://localhost:5999")
    with app.app_context():
        author = new_author("guarded", key_pair)
        literal = _send(app, author, [receiver.url("/inbox")], n=1)
        named = _send(app, author, [f"http://localhost:{receiver.port}/inbox"], n=2)
        for activity in (literal, named):
            row = _row(activity.id)
            assert row.state == "gave_up" and row.last_status is None, row.last_error
        assert "not a public address" in _row(literal.id).last_error
        assert receiver.posts() == []
