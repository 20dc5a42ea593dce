"""Venues (conferences, journals, arXiv): papers are grouped by venue and year."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from ..db import PublicIdMixin, db, utcnow


class Venue(PublicIdMixin, db.Model):
    """A venue, one row per normalised name (volumes and years folded: 'NIPS 2016' and 'NIPS 2017' are one)."""

    __tablename__ = "venues"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(300), unique=True)
    name: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
