"""What delivery remembers per remote host: blocks, the circuit breaker, failure days and availability.

As Mastodon (reference §7): every failed attempt adds today's UTC date to the host's failure days; at
`unavailable_after_days` distinct days the host is unavailable (nothing but Follows goes there); a success, or a
valid signed request from the host, clears it all. `breaker_failures` consecutive failures open the breaker
for `breaker_seconds`. Concurrent workers may lose an increment of the counter; the next failure restores it.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import ARRAY, Integer, String, bindparam, func, literal, select, update
from sqlalchemy.dialects import postgresql, sqlite

from ..db import db, utcnow
from .delivery_sql import among, on_postgresql
from .models import Delivery, RemoteHost


@dataclass(frozen=True)
class HostState:
    """A snapshot of one host's delivery state."""

    blocked: bool = False
    unavailable: bool = False
    breaker_until: datetime | None = None
    consecutive_failures: int = 0

    def breaker_open(self, now: datetime) -> bool:
        """True while the breaker keeps deliveries away."""
        return self.breaker_until is not None and self.breaker_until > now


def host_states(hosts: Iterable[str]) -> dict[str, HostState]:
    """The state of each known host among `hosts` (unknown hosts are absent: all clear)."""
    wanted = sorted(set(hosts))
    if not wanted:
        return {}
    rows = db.session.execute(
        select(RemoteHost.host, RemoteHost.blocked, RemoteHost.unavailable, RemoteHost.breaker_until,
               RemoteHost.consecutive_failures).where(among(RemoteHost.host, wanted))
    )
    return {row.host: HostState(row.blocked, row.unavailable, row.breaker_until, row.consecutive_failures)
            for row in rows}


def blocked_hosts(hosts: Iterable[str]) -> set[str]:
    """Those of these hosts (netlocs, lower-cased) that a domain block covers (parent domains included)."""
    names = {host: block_names(host) for host in hosts}
    every = set().union(*names.values()) if names else set()
    if not every:
        return set()
    blocked = set(db.session.scalars(select(RemoteHost.host).where(among(RemoteHost.host, every), RemoteHost.blocked)))
    return {host for host, candidates in names.items() if candidates & blocked}


@lru_cache(maxsize=8192)
def block_names(netloc: str) -> frozenset[str]:
    """Every name a domain block may use for a host (netloc, lower-cased, no user info): host:port, host, and each
    parent domain (cached: a fan-out asks for the same few hundred hosts each time)."""
    hostname = (urlsplit(f"//{netloc}").hostname or "").lower()
    if not hostname:
        return frozenset()
    found = {netloc, hostname}
    if not _is_ip(hostname):
        labels = hostname.split(".")
        found.update(".".join(labels[index:]) for index in range(1, len(labels) - 1))
    return frozenset(found)


def _is_ip(hostname: str) -> bool:
    try:
        ipaddress.ip_address(hostname)
    except ValueError:
        return False
    return True


def host_of(url: str) -> str:
    """The host of a URL as deliveries and remote_hosts key it: its netloc, lower-cased, without user info."""
    return netloc_host(urlsplit(url).netloc)


def netloc_host(netloc: str) -> str:
    """A netloc as deliveries and remote_hosts key hosts: lower-cased, without user info."""
    return netloc.lower().rpartition("@")[2]


def record_outcomes(alive: set[str], failures: Mapping[str, int], now: datetime | None = None) -> None:
    """Reset hosts that answered; count failures (breaker, failure days) of hosts that only failed."""
    now = now or utcnow()
    failed = {host: count for host, count in failures.items() if host not in alive}
    _ensure_rows(alive | set(failed))
    if alive:
        db.session.execute(
            update(RemoteHost).where(among(RemoteHost.host, sorted(alive))).values(last_success_at=now, **_CLEAR)
            .execution_options(synchronize_session=False)
        )
    if failed:
        _count_failures(failed, now)


_CLEAR: dict[str, Any] = {"failure_days": [], "consecutive_failures": 0, "breaker_until": None, "unavailable": False}


def _ensure_rows(hosts: set[str]) -> None:
    if not hosts:
        return
    if on_postgresql():  # one array parameter rather than five parameters per host
        names = func.unnest(bindparam("hosts", sorted(hosts), type_=ARRAY(String))).table_valued("host")
        names = names.render_derived(name="names")
        rows = select(names.c.host, literal([], RemoteHost.failure_days.type), literal(0, Integer), literal(False),
                      literal(False))
        columns = ["host", "failure_days", "consecutive_failures", "blocked", "unavailable"]
        statement = postgresql.insert(RemoteHost).from_select(columns, rows)
        db.session.execute(statement.on_conflict_do_nothing(index_elements=["host"]))
        return
    rows = [{"host": host, "failure_days": [], "consecutive_failures": 0, "blocked": False, "unavailable": False}
            for host in sorted(hosts)]
    db.session.execute(sqlite.insert(RemoteHost).on_conflict_do_nothing(index_elements=["host"]), rows)


def _count_failures(failed: Mapping[str, int], now: datetime) -> None:
    settings = current_app.extensions["fediscience.settings"]
    today = now.date().isoformat()
    current = db.session.execute(
        select(RemoteHost.host, RemoteHost.failure_days, RemoteHost.consecutive_failures, RemoteHost.breaker_until,
               RemoteHost.unavailable)
        .where(among(RemoteHost.host, sorted(failed))).with_for_update()
    ).all()
    changes = []
    for row in current:
        days = sorted(set(row.failure_days or []) | {today})
        count = row.consecutive_failures + failed[row.host]
        opened = now + timedelta(seconds=settings.breaker_seconds)
        changes.append({
            "b_host": row.host, "failure_days": days, "consecutive_failures": count,
            "breaker_until": opened if count >= settings.breaker_failures else row.breaker_until,
            "unavailable": row.unavailable or len(days) >= settings.unavailable_after_days,
        })
    table = RemoteHost.__table__
    db.session.execute(table.update().where(table.c.host == bindparam("b_host")), changes)


def host_seen_alive(host: str) -> None:
    """A valid signed request came from host: clear its failures, and make its waiting deliveries due now.

    Cheap when the host is healthy (one UPDATE that matches nothing); the caller commits.
    """
    host = host.lower()
    reset = db.session.execute(
        update(RemoteHost)
        .where(RemoteHost.host == host, (RemoteHost.consecutive_failures > 0) | RemoteHost.unavailable)
        .values(**_CLEAR).execution_options(synchronize_session=False)
    ).rowcount
    if reset:
        now = utcnow()
        db.session.execute(
            update(Delivery).where(Delivery.host == host, Delivery.state == "pending", Delivery.next_try_at > now)
            .values(next_try_at=now).execution_options(synchronize_session=False)
        )


def retry_host(host: str) -> int:
    """An administrator's "retry now": clear the host's failures and breaker, make its pending deliveries due now.

    Clears `unavailable` too, as a signed request from the host would: otherwise every waiting delivery but a
    Follow would be given up at once. Returns how many deliveries became due; the caller commits.
    """
    host, now = host.lower(), utcnow()
    db.session.execute(
        update(RemoteHost).where(RemoteHost.host == host).values(**_CLEAR).execution_options(synchronize_session=False)
    )
    return db.session.execute(
        update(Delivery).where(Delivery.host == host, Delivery.state == "pending", Delivery.next_try_at > now)
        .values(next_try_at=now).execution_options(synchronize_session=False)
    ).rowcount
