"""Delivering an activity: lease its due rows, hold back hosts that are down, send, record outcomes in batches.

The delivery rows are the ledger. A job leases rows in the database (state `leased` until `lease_until`),
so a killed worker's rows come back once the lease passes; outcomes are written only while the lease is
ours (its `lease_until` is the token). Retries and held-back rows wait in the table for the sweeper.
"""

from __future__ import annotations

import json
import logging
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import Integer, and_, bindparam, func, or_, select, update

from ..db import db, utcnow
from .delivery_http import Post, engine_for
from .delivery_keys import signer_for
from .delivery_policy import DONE, GAVE_UP, RETRY, Attempt, next_try, verdict
from .delivery_signing import Signer
from .delivery_sql import among, among_picked
from .hosts import HostState, host_seen_alive, host_states, record_outcomes
from .models import Activity, Delivery

__all__ = ["deliver", "host_seen_alive"]

log = logging.getLogger(__name__)
_UNAVAILABLE_BYPASS = frozenset({"Follow"})  # as Mastodon: a Follow still goes to an unavailable host


@dataclass(frozen=True)
class Leased:
    """A delivery row taken by this job."""

    id: int
    inbox_url: str
    host: str
    tries: int


@dataclass
class Outcomes:
    """What became of a leased batch, ready to be written in a few statements."""

    done: list[tuple[int, int]] = field(default_factory=list)  # (id, status)
    other: list[dict[str, Any]] = field(default_factory=list)  # retry, gave up or held back: one row each
    alive: set[str] = field(default_factory=set)
    failures: Counter[str] = field(default_factory=Counter)


def deliver(activity_id: int, delivery_ids: Sequence[int] | None = None) -> None:
    """Send the due deliveries of an activity (these ids, or all of them), chunk by chunk."""
    started, clock = utcnow(), time.perf_counter()
    activity = db.session.get(Activity, activity_id)
    if activity is None:
        return
    waited_ms = (started - activity.created_at).total_seconds() * 1000  # writing, commit, queue: before this job
    body = json.dumps(activity.payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    # One signer per activity: its current key, or the retired key it names (a key rotation's Update).
    signer, kind = signer_for(activity.actor, activity.signing_key), activity.activity_type
    db.session.commit()
    for chunk in _chunks(activity_id, delivery_ids):
        marks = [clock, time.perf_counter()]
        token, leased, states = _lease(activity_id, chunk)
        if not leased:
            continue
        marks.append(time.perf_counter())
        outcomes = _send(leased, states, body, signer, kind)
        marks.append(time.perf_counter())
        _record(token, outcomes)
        marks.append(time.perf_counter())
        setup_ms, lease_ms, send_ms, record_ms = ((after - before) * 1000 for before, after in zip(marks, marks[1:]))
        log.info("activity %s: %d delivered, %d not (yet); job started %.0f ms after the activity was written; "
                 "setup %.0f ms, lease %.0f ms, send %.0f ms, record %.0f ms", activity_id, len(outcomes.done),
                 len(outcomes.other), waited_ms, setup_ms, lease_ms, send_ms, record_ms)
        clock = time.perf_counter()


def _settings() -> Any:
    return current_app.extensions["fediscience.settings"]


def _chunks(activity_id: int, delivery_ids: Sequence[int] | None) -> Iterator[list[int] | None]:
    """The given ids in batches; or, without ids, None repeatedly (each lease takes the next due batch)."""
    size = _settings().delivery_batch_size
    if delivery_ids is not None:
        ids = list(delivery_ids)
        for start in range(0, len(ids), size):
            yield ids[start:start + size]
        return
    for _ in range(1000):  # bounded: the sweeper picks up anything left
        if db.session.scalar(select(Delivery.id).where(_due(activity_id, utcnow())).limit(1)) is None:
            return
        yield None


def _due(activity_id: int, now: datetime) -> Any:
    waiting = and_(Delivery.state == "pending", Delivery.next_try_at <= now)
    abandoned = and_(Delivery.state == "leased", Delivery.lease_until < now)
    return and_(Delivery.activity_id == activity_id, or_(waiting, abandoned))


def _lease(activity_id: int, ids: list[int] | None) -> tuple[datetime, list[Leased], dict[str, HostState]]:
    """Take due rows (pending and due, or leased with an expired lease) in one conditional UPDATE; commit.

    Rows another transaction holds are skipped (SKIP LOCKED), not waited for.
    """
    settings, now = _settings(), utcnow()
    token = (now + timedelta(seconds=settings.delivery_lease_seconds)).replace(microsecond=0)
    pick = select(Delivery.id).where(_due(activity_id, now))
    pick = pick.where(among(Delivery.id, ids)) if ids is not None else pick
    pick = pick.order_by(Delivery.id).limit(settings.delivery_batch_size).with_for_update(skip_locked=True)
    rows = db.session.execute(
        update(Delivery).where(among_picked(Delivery.id, pick), _due(activity_id, now))
        .values(state="leased", lease_until=token)
        .returning(Delivery.id, Delivery.inbox_url, Delivery.host, Delivery.tries)
        .execution_options(synchronize_session=False)
    ).all()
    leased = [Leased(*row) for row in rows]
    states = host_states(row.host for row in leased)
    db.session.commit()
    return token, leased, states


def _send(leased: list[Leased], states: dict[str, HostState], body: bytes, signer: Signer, kind: str) -> Outcomes:
    """Hold back rows for hosts that are down; POST the rest; sort the answers into outcomes."""
    settings, now, outcomes = _settings(), utcnow(), Outcomes()
    clear = HostState()
    to_send = []
    for row in leased:
        state = states.get(row.host, clear)
        if state.blocked:
            _settle(outcomes, row, Attempt(None, "the host is blocked", permanent=True), now)
        elif state.breaker_open(now):
            _hold(outcomes, row, state.breaker_until or now, "held back: the host's circuit breaker is open")
        elif state.unavailable and kind not in _UNAVAILABLE_BYPASS:
            _settle(outcomes, row, Attempt(None, "the host is unavailable (failing for days)"), now)
        else:
            to_send.append(row)
    if not to_send:
        return outcomes
    budgets = {row.host: max(1, settings.breaker_failures - states.get(row.host, clear).consecutive_failures)
               for row in to_send}
    margin = max(settings.delivery_lease_seconds - settings.delivery_total_timeout, settings.delivery_lease_seconds / 2)
    posts = [Post(row.id, row.inbox_url, row.host) for row in to_send]
    answers = engine_for(current_app._get_current_object()).post_all(
        posts, body, signer, budgets=budgets, deadline=time.monotonic() + margin
    )
    now = utcnow()
    for row in to_send:
        attempt = answers.get(row.id)
        if attempt is None:
            _hold(outcomes, row, now, "held back: the host failed repeatedly in this batch")
            continue
        _settle(outcomes, row, attempt, now)
        _count_host(outcomes, row.host, attempt)
    return outcomes


def _count_host(outcomes: Outcomes, host: str, attempt: Attempt) -> None:
    """A host that answered (2xx, or a 4xx not worth retrying) is alive; a retryable failure counts against it."""
    kind = verdict(attempt)
    if kind == RETRY:
        outcomes.failures[host] += 1
    elif attempt.status is not None:
        outcomes.alive.add(host)


def _settle(outcomes: Outcomes, row: Leased, attempt: Attempt, now: datetime) -> None:
    settings = _settings()
    kind, tries = verdict(attempt), row.tries + 1
    if kind == DONE:
        outcomes.done.append((row.id, attempt.status or 200))
        return
    if kind == RETRY and tries >= settings.delivery_max_tries:
        kind = GAVE_UP
    outcomes.other.append({
        "b_id": row.id, "b_state": "pending" if kind == RETRY else GAVE_UP, "b_inc": 1,
        "b_next": next_try(tries, attempt, now, settings.delivery_retry_base) if kind == RETRY else None,
        "b_status": attempt.status, "b_error": (attempt.error or "")[:2000] or None,
        "b_finished": now if kind == GAVE_UP else None,
    })


def _hold(outcomes: Outcomes, row: Leased, until: datetime, why: str) -> None:
    """Back to pending without counting a try, due at `until`."""
    outcomes.other.append({"b_id": row.id, "b_state": "pending", "b_inc": 0, "b_next": until, "b_status": None,
                           "b_error": why, "b_finished": None})


def _record(token: datetime, outcomes: Outcomes) -> None:
    """Write every outcome (one UPDATE per status of the done rows, one executemany for the rest); commit."""
    table, now = Delivery.__table__, utcnow()
    ours = and_(table.c.state == "leased", table.c.lease_until == token)
    by_status: dict[int, list[int]] = {}
    for delivery_id, status in outcomes.done:
        by_status.setdefault(status, []).append(delivery_id)
    for status, ids in by_status.items():
        db.session.execute(
            table.update().where(among(table.c.id, ids), ours).values(
                state=DONE, tries=table.c.tries + 1, last_status=status, last_error=None, lease_until=None,
                finished_at=now)
        )
    if outcomes.other:
        db.session.execute(
            table.update().where(table.c.id == bindparam("b_id"), ours).values(
                state=bindparam("b_state"), tries=table.c.tries + bindparam("b_inc", type_=Integer),
                next_try_at=func.coalesce(bindparam("b_next", type_=table.c.next_try_at.type), table.c.next_try_at),
                last_status=func.coalesce(bindparam("b_status", type_=Integer), table.c.last_status),
                last_error=bindparam("b_error"), finished_at=bindparam("b_finished"), lease_until=None),
            outcomes.other,
        )
    record_outcomes(outcomes.alive, outcomes.failures, now)
    db.session.commit()
