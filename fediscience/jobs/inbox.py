"""The inbox job: claim a stored item (a lease in the database), dispatch it, record the outcome.

The item row is the ledger: a job lost from Redis or killed mid-way leaves it pending, and the sweeper
re-enqueues it once it is due (never started, or its lease / retry time passed).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import current_app
from sqlalchemy import or_, select, update

from ..activitypub import ProtocolError
from ..db import db, utcnow
from ..federation.models import InboxItem

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)


def process_inbox_item(item_id: int) -> None:
    """Process one inbox item once: claim it, run its handler, mark it done / ignored / rejected or retry it."""
    from ..federation.ingest import Rejected, dispatch

    if not _claim(item_id):
        return
    item = db.session.get(InboxItem, item_id)
    assert item is not None
    try:
        status, error = dispatch(item), None
    except (Rejected, ProtocolError) as exc:  # a broken rule or an unreadable activity: retrying will not help
        db.session.rollback()  # a rejected activity changes nothing, even what its handler began
        status, error = "rejected", exc.reason
    except Exception as exc:  # a fetch or database failure: try again later
        db.session.rollback()
        log.exception("inbox item %s failed", item_id)
        _schedule_retry(item_id, exc)
        return
    item = db.session.get(InboxItem, item_id)
    assert item is not None
    item.status, item.error, item.processed_at, item.retry_at = status, error, utcnow(), None
    _reset_sender_host(item.actor_uri)
    db.session.commit()


def _claim(item_id: int) -> bool:
    """Take the item for LEASE (one worker at a time); False if it is done or another worker holds it."""
    now = utcnow()
    claimed = db.session.execute(
        update(InboxItem)
        .where(
            InboxItem.id == item_id,
            InboxItem.status == "pending",
            or_(InboxItem.retry_at.is_(None), InboxItem.retry_at <= now),
        )
        .values(retry_at=now + LEASE, attempts=InboxItem.attempts + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return claimed == 1


def _schedule_retry(item_id: int, error: Exception) -> None:
    """Try again after the next configured delay, or give up (status failed) once they are used up."""
    delays = current_app.extensions["fediscience.settings"].job_retry_delays
    item = db.session.get(InboxItem, item_id)
    if item is None:
        return
    item.error = f"{type(error).__name__}: {error}"[:2000]
    if item.attempts > len(delays):
        item.status, item.retry_at, item.processed_at = "failed", None, utcnow()
    else:
        item.retry_at = utcnow() + timedelta(seconds=delays[item.attempts - 1])
    db.session.commit()


def _reset_sender_host(actor_uri: str) -> None:
    """A valid signed activity from a host shows it is alive: reset its delivery-failure state."""
    from urllib.parse import urlsplit

    from ..federation.delivery import host_seen_alive

    host_seen_alive(urlsplit(actor_uri).netloc.lower())


def sweep_inbox_items(limit: int = 500) -> int:
    """Re-enqueue pending items never started for a sweeper interval, or whose lease / retry time passed."""
    from .queue import runner_for

    settings = current_app.extensions["fediscience.settings"]
    now = utcnow()
    never_started = InboxItem.retry_at.is_(None) & (
        InboxItem.received_at < now - timedelta(seconds=settings.sweeper_interval)
    )
    due = select(InboxItem.id).where(InboxItem.status == "pending", or_(never_started, InboxItem.retry_at <= now))
    ids = list(db.session.scalars(due.order_by(InboxItem.id).limit(limit)))
    runner = runner_for(current_app)
    for item_id in ids:
        runner.enqueue(process_inbox_item, item_id)
    return len(ids)
