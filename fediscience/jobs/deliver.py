"""The delivery job (one per activity or per chunk of inboxes) and its sweeper.

The deliveries table is the ledger and the queue only the trigger: the sweeper re-enqueues rows that are due
(retries, held-back rows, rows whose job Redis lost) or whose lease expired (a killed worker), one job per
activity with its ids, so a flushed Redis or a killed worker loses nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from flask import current_app
from sqlalchemy import and_, or_, select

from ..db import db, utcnow
from ..federation.models import Delivery
from .queue import runner_for


def deliver_activity(activity_id: int, delivery_ids: Sequence[int] | None = None) -> None:
    """Deliver an activity's due deliveries (these ids, or all of them): the job `send_activity` enqueues."""
    from ..federation.delivery import deliver

    deliver(activity_id, list(delivery_ids) if delivery_ids is not None else None)


def sweep_deliveries(limit: int = 10_000) -> int:
    """Re-enqueue due pending and lease-expired deliveries, one job per activity (and chunk); returns the jobs."""
    settings = current_app.extensions["fediscience.settings"]
    now = utcnow()
    fresh = and_(Delivery.tries == 0, Delivery.next_try_at == Delivery.created_at,
                 Delivery.created_at >= now - timedelta(seconds=settings.sweeper_interval))
    due = and_(Delivery.state == "pending", Delivery.next_try_at <= now, ~fresh)  # a fresh row's job is on its way
    expired = and_(Delivery.state == "leased", Delivery.lease_until < now)
    rows = db.session.execute(
        select(Delivery.activity_id, Delivery.id).where(or_(due, expired)).order_by(Delivery.id).limit(limit)
    ).all()
    by_activity: dict[int, list[int]] = {}
    for activity_id, delivery_id in rows:
        by_activity.setdefault(activity_id, []).append(delivery_id)
    runner, size, jobs = runner_for(current_app), settings.delivery_batch_size, 0
    for activity_id, ids in by_activity.items():
        for start in range(0, len(ids), size):
            runner.enqueue(deliver_activity, activity_id, ids[start:start + size])
            jobs += 1
    return jobs
