"""Leases and the sweeper: a killed worker's rows come back after their lease; jobs Redis lost are re-enqueued
(grouped by activity); a fresh row whose job is on its way, or a live lease, is left alone."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from fediscience.db import db, utcnow
from fediscience.federation.models import Delivery
from fediscience.federation.outbox import send_activity
from fediscience.jobs.deliver import deliver_activity, sweep_deliveries
from fediscience.jobs.maintenance import sweep
from tests.federation_delivery.conftest import CountingRunner, note
from tests.helpers import wait_for_jobs


def _lost_jobs(app) -> CountingRunner:
    """A runner that drops every job, as a flushed Redis would."""
    dropping = CountingRunner(app.extensions["fediscience.jobs"], drop=True)
    app.extensions["fediscience.jobs"] = dropping
    return dropping


def _states(activity_id: int) -> list[str]:
    db.session.expire_all()
    return list(db.session.scalars(select(Delivery.state).where(Delivery.activity_id == activity_id)))


def _age(**values) -> None:
    db.session.execute(Delivery.__table__.update().values(**values))
    db.session.commit()


def test_jobs_lost_from_the_queue_are_re_enqueued_by_the_sweeper_one_job_per_activity(ctx, author, receivers):
    a, b = receivers[0], receivers[1]
    dropping = _lost_jobs(ctx)
    first = send_activity(author, note(author, 1), [a.url("/inbox"), b.url("/inbox"), a.url("/users/x/inbox")])
    second = send_activity(author, note(author, 2), [b.url("/inbox")])
    db.session.commit()
    assert len(dropping.jobs) == 2 and a.posts() == []
    assert sweep_deliveries() == 0  # fresh rows: their jobs may still be on the way
    _age(created_at=utcnow() - timedelta(minutes=5), next_try_at=utcnow() - timedelta(minutes=5))

    counting = CountingRunner(dropping.inner)
    ctx.extensions["fediscience.jobs"] = counting
    assert sweep() == 2  # the maintenance sweep includes deliveries: one job per activity
    assert sorted((name, args[0], len(args[1])) for name, args in counting.jobs) == [
        ("deliver_activity", first.id, 3), ("deliver_activity", second.id, 1)]
    wait_for_jobs(ctx)
    assert _states(first.id) == ["done"] * 3 and _states(second.id) == ["done"]
    assert len(a.posts()) == 2 and len(b.posts()) == 2


def test_an_expired_lease_is_swept_and_delivered_an_unexpired_one_is_not(ctx, author, receiver):
    _lost_jobs(ctx)
    activity = send_activity(author, note(author), [receiver.url("/inbox")])
    db.session.commit()
    _age(state="leased", lease_until=utcnow() + timedelta(minutes=5))  # a worker holds it
    assert sweep_deliveries() == 0
    deliver_activity(activity.id)  # even a job for this activity leaves a leased row alone
    deliver_activity(activity.id, [db.session.scalar(select(Delivery.id))])
    assert _states(activity.id) == ["leased"] and receiver.posts() == []

    _age(lease_until=utcnow() - timedelta(seconds=1))  # the worker died; its lease ran out
    counting = CountingRunner(ctx.extensions["fediscience.jobs"].inner)
    ctx.extensions["fediscience.jobs"] = counting
    assert sweep_deliveries() == 1
    wait_for_jobs(ctx)
    assert _states(activity.id) == ["done"] and len(receiver.posts()) == 1


def test_a_job_without_ids_delivers_every_due_row_of_its_activity(ctx, author, receiver):
    _lost_jobs(ctx)
    activity = send_activity(author, note(author), [receiver.url(f"/users/{n}/inbox") for n in range(7)])
    db.session.commit()
    deliver_activity(activity.id)
    assert _states(activity.id) == ["done"] * 7 and len(receiver.posts()) == 7
    deliver_activity(activity.id)  # nothing due: nothing sent twice
    assert len(receiver.posts()) == 7


def test_an_outcome_is_not_written_over_a_lease_taken_by_another_worker(ctx, author, receiver):
    from fediscience.federation.delivery import Outcomes, _record

    _lost_jobs(ctx)
    activity = send_activity(author, note(author), [receiver.url("/inbox")])
    db.session.commit()
    row_id = db.session.scalar(select(Delivery.id))
    theirs, mine = utcnow().replace(microsecond=0) + timedelta(minutes=5), utcnow().replace(microsecond=0)
    _age(state="leased", lease_until=theirs)
    _record(mine, Outcomes(done=[(row_id, 202)]))  # a late worker whose lease expired
    assert _states(activity.id) == ["leased"]
    _record(theirs, Outcomes(done=[(row_id, 202)]))
    assert _states(activity.id) == ["done"]


@pytest.mark.parametrize("backend", ["postgresql"])  # row locks: SQLite locks the whole database instead
def test_a_row_another_transaction_holds_is_skipped_not_waited_for(ctx, author, receiver, backend):
    _lost_jobs(ctx)
    activity = send_activity(author, note(author), [receiver.url(f"/users/{n}/inbox") for n in range(3)])
    db.session.commit()
    ids = sorted(db.session.scalars(select(Delivery.id)))
    locked, release, engine = threading.Event(), threading.Event(), db.engine

    def another_worker() -> None:  # holds the first row; lets go when told, or after 3 s (if we waited for it)
        with engine.connect() as other:
            other.execute(select(Delivery.id).where(Delivery.id == ids[0]).with_for_update())
            locked.set()
            release.wait(3)
            other.rollback()

    holder = threading.Thread(target=another_worker)
    holder.start()
    locked.wait(5)
    deliver_activity(activity.id, ids)
    release.set()
    holder.join()
    db.session.expire_all()
    assert [db.session.get(Delivery, i).state for i in ids] == ["pending", "done", "done"]
    deliver_activity(activity.id, ids)
    assert _states(activity.id) == ["done"] * 3 and len(receiver.posts()) == 3
