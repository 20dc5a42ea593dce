"""Tombstones: the ids of our deleted objects, which answer 410 Gone with a `Tombstone` forever."""

from __future__ import annotations

from datetime import datetime

from ..db import db, utcnow
from .models import Tombstone


def record_tombstone(uri: str, former_type: str, deleted_at: datetime | None = None) -> Tombstone:
    """Remember that the object with this id was deleted (idempotent: the first deletion time is kept)."""
    existing = db.session.get(Tombstone, uri)
    if existing is not None:
        return existing
    tombstone = Tombstone(uri=uri, former_type=former_type, deleted_at=deleted_at or utcnow())
    db.session.add(tombstone)
    db.session.flush()
    return tombstone


def find_tombstone(uri: str) -> Tombstone | None:
    """The tombstone of a deleted object of ours, or None."""
    return db.session.get(Tombstone, uri)
