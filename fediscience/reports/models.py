"""A report: someone's complaint about some of our accounts, summaries or comments."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import db, utcnow
from ..users.models import Actor


class Report(db.Model):
    """One received report (a Flag): who sent it, their comment, what it is about, and whether it was dealt with.

    `targets` lists what is reported, as `{"kind": "actor"|"summary"|"comment", "public_id", "uri"}` (our objects
    only); it stays readable after a reported object is deleted.
    """

    __tablename__ = "reports"
    __table_args__ = (Index("ix_reports_status_created_at", "status", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reporter_id: Mapped[int] = mapped_column(ForeignKey("actors.id", ondelete="CASCADE"), index=True)
    uri: Mapped[str] = mapped_column(String(2048), unique=True)
    content: Mapped[str] = mapped_column(Text, default="")
    targets: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(8), default="open")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(default=None)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("actors.id", ondelete="SET NULL"), default=None)

    reporter: Mapped[Actor] = relationship(foreign_keys=[reporter_id], lazy="joined", innerjoin=True)
    resolved_by: Mapped[Actor | None] = relationship(foreign_keys=[resolved_by_id], lazy="select")
