"""Inbox processing: one coalesced drain job works through the pending items, oldest first.

Storing an item queues a drain only when none is queued or running (`request_drain`: a Redis `SET NX` flag with a
short expiry under RQ, an in-process lock with the thread runner), so a burst of deliveries costs one job, not one per
item, and items are normally processed one at a time in arrival order (a Create before its Update). The drain claims
due items in batches (a lease in the database; `FOR UPDATE SKIP LOCKED` on PostgreSQL, so drains that do overlap --
a flag that expired, a second worker -- share the work and never take an item twice), refreshes the flag after each
batch, and at the end releases it, then re-arms if an item arrived meanwhile.

The item row is the ledger: a drain lost from Redis or killed mid-way leaves its items pending, and the sweeper
requests a drain once they are due (never started for a sweeper interval, or their lease / retry time passed).
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from flask import Flask, current_app
from sqlalchemy import func, or_, select, update
from sqlalchemy.sql import ColumnElement

from ..activitypub import ProtocolError
from ..db import db, utcnow
from ..federation.models import InboxItem
from .queue import RQRunner, runner_for

if TYPE_CHECKING:
    from redis import Redis

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)
BATCH = 20
DRAIN_BUDGET = 120.0  # seconds; then the drain hands over to a successor (RQ's job timeout is 300 s)
FLAG_TTL = 60  # seconds a flag outlives a lost or killed drain at most (then an item or the sweeper re-arms)
_LOCAL_FLAG = "fediscience.inbox_drain_flag"


# The flag: "a drain is queued or running" ----------------------------------------------------------------


class _RedisFlag:
    """The flag in Redis, shared by every web and worker process; it expires FLAG_TTL after it was last refreshed."""

    def __init__(self, connection: Redis, key: str) -> None:
        self.connection, self.key = connection, key

    def take(self) -> bool:
        return bool(self.connection.set(self.key, b"1", nx=True, ex=FLAG_TTL))

    def refresh(self) -> None:
        self.connection.expire(self.key, FLAG_TTL)

    def release(self) -> None:
        self.connection.delete(self.key)


class _LocalFlag:
    """The flag of the thread runner: a lock of the app, held from queueing to the end of the drain."""

    def __init__(self, lock: threading.Lock) -> None:
        self.lock = lock

    def take(self) -> bool:
        return self.lock.acquire(blocking=False)

    def refresh(self) -> None:
        pass

    def release(self) -> None:
        try:
            self.lock.release()
        except RuntimeError:  # not held: this drain was started directly (tests, the CLI)
            pass


def _flag(app: Flask) -> _RedisFlag | _LocalFlag:
    runner = runner_for(app)
    if isinstance(runner, RQRunner):
        return _RedisFlag(runner.connection, drain_flag_key(app))
    return _LocalFlag(app.extensions.setdefault(_LOCAL_FLAG, threading.Lock()))


def drain_flag_key(app: Flask) -> str:
    """The Redis key that says "a drain job is queued or running" (expires FLAG_TTL after its last refresh)."""
    return f"fediscience:inbox-drain:{app.extensions['fediscience.settings'].queue_name}"


def request_drain(app: Flask) -> bool:
    """Queue a drain job unless one is queued or running; True if this call queued it."""
    if not _flag(app).take():
        return False
    runner_for(app).enqueue(drain_inbox)
    return True


# The drain job --------------------------------------------------------------------------------------------


def drain_inbox() -> int:
    """Process every due pending inbox item, oldest first, in claimed batches; returns how many it processed."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    flag = _flag(app)
    try:
        processed = _drain(flag)
    finally:
        flag.release()
    if _any_due():  # stored after the last claim (its request found the flag taken), or left by a spent budget
        request_drain(app)
    return processed


def _drain(flag: _RedisFlag | _LocalFlag) -> int:
    started, processed = time.monotonic(), 0
    while claimed := claim_batch(BATCH):
        for position, item_id in enumerate(claimed, start=1):
            _process_claimed(item_id)
            processed += 1
            if time.monotonic() - started >= DRAIN_BUDGET:  # a successor goes on: RQ's job timeout is 300 s
                _unclaim(claimed[position:])
                return processed
        flag.refresh()
    return processed


def claim_batch(limit: int) -> list[int]:
    """Take up to `limit` due items for LEASE, oldest first, skipping any another drain is claiming; [] when none
    is due."""
    while True:
        now = utcnow()
        candidates = select(InboxItem.id).where(_is_due(now)).order_by(InboxItem.id).limit(limit)
        ids = list(db.session.scalars(candidates.with_for_update(skip_locked=True)))
        if not ids:
            db.session.commit()
            return []
        claimed = db.session.scalars(  # the condition again: SQLite has no row locks, two drains may read one id
            update(InboxItem)
            .where(InboxItem.id.in_(ids), _is_due(now))
            .values(retry_at=now + LEASE, attempts=InboxItem.attempts + 1)
            .returning(InboxItem.id)
            .execution_options(synchronize_session=False)
        ).all()
        db.session.commit()
        if claimed:
            return sorted(claimed)
        # another drain claimed all of them first: look again rather than stop while items are due


def _unclaim(item_ids: list[int]) -> None:
    """Give back claimed items this drain will not process (due again at once, the attempt not counted)."""
    if not item_ids:
        return
    db.session.execute(
        update(InboxItem)
        .where(InboxItem.id.in_(item_ids), InboxItem.status == "pending")
        .values(retry_at=None, attempts=InboxItem.attempts - 1)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def _any_due() -> bool:
    found = db.session.scalar(select(InboxItem.id).where(_is_due(utcnow())).limit(1))
    db.session.commit()
    return found is not None


def _is_due(now: datetime) -> ColumnElement[bool]:
    return (InboxItem.status == "pending") & or_(InboxItem.retry_at.is_(None), InboxItem.retry_at <= now)


def process_inbox_item(item_id: int) -> None:
    """Process one inbox item once: claim it, run its handler, mark it done / ignored / rejected or retry it."""
    if _claim(item_id):
        _process_claimed(item_id)


def _claim(item_id: int) -> bool:
    """Take the item for LEASE (one worker at a time); False if it is done or another worker holds it."""
    now = utcnow()
    claimed = db.session.execute(
        update(InboxItem)
        .where(InboxItem.id == item_id, _is_due(now))
        .values(retry_at=now + LEASE, attempts=InboxItem.attempts + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return claimed == 1


def _process_claimed(item_id: int) -> None:
    """Run a claimed item's handler and record the outcome (or schedule a retry)."""
    from ..federation.ingest import Rejected

    item = db.session.get(InboxItem, item_id)
    assert item is not None
    try:
        status, error = _dispatch_unless_blocked(item), None
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


def _dispatch_unless_blocked(item: InboxItem) -> str:
    """The handler's status; Rejected if the sender's domain is blocked by now.

    The accept path reads blocks from a cache up to BLOCKS_TTL seconds old (federation.inbox_cache): an item let in
    just before its domain was blocked is rejected here, where the database is read directly.
    """
    from ..federation.client import blocked_host
    from ..federation.ingest import Rejected, dispatch

    blocked = blocked_host(item.actor_uri)
    if blocked is not None:
        raise Rejected(f"the domain {blocked} is blocked on this instance")
    return dispatch(item)


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


# The sweeper ----------------------------------------------------------------------------------------------


def sweep_inbox_items() -> int:
    """Request a drain if pending items were never started for a sweeper interval, or their lease / retry time
    passed; returns how many such items there are."""
    settings = current_app.extensions["fediscience.settings"]
    now = utcnow()
    never_started = InboxItem.retry_at.is_(None) & (
        InboxItem.received_at < now - timedelta(seconds=settings.sweeper_interval)
    )
    overdue = InboxItem.status == "pending", or_(never_started, InboxItem.retry_at <= now)
    waiting = db.session.scalar(select(func.count()).select_from(InboxItem).where(*overdue)) or 0
    if waiting:
        request_drain(current_app._get_current_object())  # type: ignore[attr-defined]
    return waiting
