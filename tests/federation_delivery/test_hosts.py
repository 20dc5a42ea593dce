"""Per-host state: the circuit breaker, unavailable hosts (7 distinct failure days), and what resets them."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from fediscience.db import db, utcnow
from fediscience.federation.delivery import host_seen_alive
from fediscience.federation.models import Delivery, RemoteHost
from fediscience.federation.outbox import send_activity
from tests.federation_delivery.conftest import Answer, new_author, note
from tests.helpers import wait_for_jobs


def _send(app, author, inboxes, kind="Create", n=1):
    activity = send_activity(author, note(author, n, kind), inboxes)
    db.session.commit()
    wait_for_jobs(app)
    db.session.expire_all()
    return activity


def _rows(activity_id: int) -> list[Delivery]:
    return list(db.session.scalars(select(Delivery).where(Delivery.activity_id == activity_id).order_by(Delivery.id)))


def _past_days(count: int) -> list[str]:
    today = utcnow().date()
    return [(today - timedelta(days=n)).isoformat() for n in range(count, 0, -1)]


def _host(host: str, **values) -> None:
    db.session.merge(RemoteHost(host=host, **values))
    db.session.commit()


def test_the_breaker_opens_after_n_failures_and_holds_the_rest_back(make_app, receiver, key_pair):
    app = make_app(breaker_failures=3, delivery_per_host_connections=1, breaker_seconds=60)
    paths = [f"/users/u{n}/inbox" for n in range(6)]
    for path in paths:
        receiver.answer(path, Answer(500))
    with app.app_context():
        author = new_author("breaker", key_pair)
        activity = _send(app, author, [receiver.url(path) for path in paths])
        assert len(receiver.posts()) == 3  # the breaker stopped the other three inside the batch
        rows = _rows(activity.id)
        assert sorted(row.tries for row in rows) == [0, 0, 0, 1, 1, 1]
        assert all(row.state == "pending" for row in rows)
        host = db.session.get(RemoteHost, receiver.host)
        assert host.consecutive_failures == 3 and host.breaker_until > utcnow() + timedelta(seconds=55)

        later = _send(app, author, [receiver.url("/inbox")], n=2)  # while it is open: nothing is sent
        assert len(receiver.posts()) == 3
        (row,) = _rows(later.id)
        assert (row.state, row.tries) == ("pending", 0) and row.next_try_at == host.breaker_until
        assert "breaker" in row.last_error


def test_a_host_failing_on_seven_distinct_days_becomes_unavailable(ctx, author, receiver):
    _host(receiver.host, failure_days=_past_days(6), consecutive_failures=6)
    receiver.answer("/inbox", Answer(503))
    _send(ctx, author, [receiver.url("/inbox")])
    host = db.session.get(RemoteHost, receiver.host)
    assert host.unavailable and len(host.failure_days) == 7

    create = _send(ctx, author, [receiver.url("/inbox")], n=2)  # no more deliveries...
    assert len(receiver.posts()) == 1
    (row,) = _rows(create.id)
    assert row.state == "pending" and "unavailable" in row.last_error and row.tries == 1
    follow = _send(ctx, author, [receiver.url("/users/bob/inbox")], kind="Follow", n=3)  # ...except a Follow
    assert [r.path for r in receiver.posts()][-1] == "/users/bob/inbox"
    assert _rows(follow.id)[0].state == "done"


def test_six_days_is_not_yet_unavailable_and_a_day_counts_once(ctx, author, receiver):
    days = _past_days(5)
    _host(receiver.host, failure_days=days, consecutive_failures=5)
    receiver.answer("/inbox", Answer(500))
    receiver.answer("/other", Answer(500))
    _send(ctx, author, [receiver.url("/inbox"), receiver.url("/other")])
    host = db.session.get(RemoteHost, receiver.host)
    assert host.failure_days == days + [utcnow().date().isoformat()]
    assert not host.unavailable and host.consecutive_failures == 7


def test_a_success_resets_an_unavailable_host(ctx, author, receiver):
    _host(receiver.host, failure_days=_past_days(8), consecutive_failures=40, unavailable=True,
          breaker_until=utcnow() - timedelta(seconds=1))
    activity = _send(ctx, author, [receiver.url("/users/bob/inbox")], kind="Follow")
    assert _rows(activity.id)[0].state == "done"
    host = db.session.get(RemoteHost, receiver.host)
    assert (host.unavailable, host.failure_days, host.consecutive_failures) == (False, [], 0)


def test_a_signed_request_from_the_host_resets_it_and_makes_its_deliveries_due(ctx, author, receiver):
    _host(receiver.host, failure_days=_past_days(7), consecutive_failures=9, unavailable=True)
    activity = _send(ctx, author, [receiver.url("/inbox")])
    (row,) = _rows(activity.id)
    assert (row.state, row.tries) == ("pending", 1) and receiver.posts() == []

    db.session.execute(Delivery.__table__.update().values(next_try_at=utcnow() + timedelta(days=1)))
    db.session.commit()
    host_seen_alive(receiver.host.upper())
    db.session.commit()
    db.session.expire_all()
    host = db.session.get(RemoteHost, receiver.host)
    assert (host.unavailable, host.failure_days, host.consecutive_failures) == (False, [], 0)
    assert _rows(activity.id)[0].next_try_at <= utcnow()


def test_host_seen_alive_on_a_healthy_or_unknown_host_changes_nothing(ctx, author, receiver):
    host_seen_alive("never.seen.example")
    _host(receiver.host, last_success_at=utcnow())
    host_seen_alive(receiver.host)
    db.session.commit()
    assert db.session.get(RemoteHost, "never.seen.example") is None
    assert db.session.get(RemoteHost, receiver.host).consecutive_failures == 0
