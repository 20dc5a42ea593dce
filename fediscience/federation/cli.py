"""The `fediscience deliveries` command: the delivery queue per host, with breaker and availability flags."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import click


@dataclass
class HostQueue:
    """One host's line: deliveries by state, the next try, and what delivery knows of the host."""

    host: str
    counts: dict[str, int] = field(default_factory=dict)
    next_try: datetime | None = None
    oldest_pending: datetime | None = None
    breaker_until: datetime | None = None
    unavailable: bool = False
    blocked: bool = False
    failure_days: int = 0


def queue_by_host() -> list[HostQueue]:
    """Every host with deliveries: counts by state and the earliest pending try; busiest hosts first."""
    from sqlalchemy import func, select

    from ..db import db
    from .models import Delivery, RemoteHost

    lines: dict[str, HostQueue] = {}
    counts = select(Delivery.host, Delivery.state, func.count(), func.min(Delivery.next_try_at),
                    func.min(Delivery.created_at)).group_by(Delivery.host, Delivery.state)
    for host, state, count, earliest, oldest in db.session.execute(counts):
        line = lines.setdefault(host, HostQueue(host))
        line.counts[state] = count
        if state == "pending":
            line.next_try, line.oldest_pending = earliest, oldest
    for row in db.session.scalars(select(RemoteHost).where(RemoteHost.host.in_(sorted(lines)))):
        line = lines[row.host]
        line.breaker_until, line.unavailable, line.blocked = row.breaker_until, row.unavailable, row.blocked
        line.failure_days = len(row.failure_days or [])
    waiting = lambda line: line.counts.get("pending", 0) + line.counts.get("leased", 0)  # noqa: E731
    return sorted(lines.values(), key=lambda line: (-waiting(line), line.host))


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S") if value is not None else ""


@click.command("deliveries")
@click.option("--limit", default=50, show_default=True, help="Hosts to show (busiest first).")
def deliveries(limit: int) -> None:
    """Show the delivery queue per host: pending, leased, done, given up, next try, breaker and flags."""
    from rich.console import Console
    from rich.table import Table

    from ..cli import _app
    from ..db import utcnow

    with _app().app_context():
        lines, now = queue_by_host(), utcnow()
    table = Table(title=f"Deliveries by host ({len(lines)} hosts)")
    for name in ("host", "pending", "leased", "done", "gave up", "next try (UTC)", "breaker until", "flags"):
        table.add_column(name, justify="right" if name in ("pending", "leased", "done", "gave up") else "left")
    for line in lines[:limit]:
        flags = [flag for flag, on in (("blocked", line.blocked), ("unavailable", line.unavailable)) if on]
        if line.failure_days:
            flags.append(f"failing {line.failure_days} d")
        breaker = _when(line.breaker_until) if line.breaker_until and line.breaker_until > now else ""
        table.add_row(line.host, *(str(line.counts.get(state, 0)) for state in ("pending", "leased", "done", "gave_up")),
                      _when(line.next_try), breaker, ", ".join(flags))
    Console().print(table)
