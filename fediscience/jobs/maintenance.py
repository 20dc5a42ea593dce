"""Periodic maintenance: re-enqueue work that the database says is due but no queue holds."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from ..db import db, utcnow
from ..papers.models import PaperLookup
from .deliver import sweep_deliveries
from .inbox import sweep_inbox_items
from .queue import runner_for


def sweep() -> int:
    """Re-enqueue due paper look-ups and deliveries, and a drain for due inbox items; returns how many were due."""
    from .papers import run_lookup

    settings = current_app.extensions["fediscience.settings"]
    now = utcnow()
    never_started = PaperLookup.retry_at.is_(None) & (
        PaperLookup.created_at < now - timedelta(seconds=settings.sweeper_interval)
    )
    due = PaperLookup.retry_at <= now
    stale = select(PaperLookup.id).where(PaperLookup.status == "pending", never_started | due)
    ids = list(db.session.scalars(stale.limit(500)))
    runner = runner_for(current_app)
    for lookup_id in ids:
        runner.enqueue(run_lookup, lookup_id)
    return len(ids) + sweep_inbox_items() + sweep_deliveries()
