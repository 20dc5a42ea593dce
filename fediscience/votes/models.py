"""Votes on summaries: +1 or -1, one per actor per summary."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, Index, SmallInteger, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..db import TimestampMixin, db


class Vote(TimestampMixin, db.Model):
    """One actor's vote on one summary."""

    __tablename__ = "votes"

    id: Mapped[int] = mapped_column(primary_key=True)
    summary_id: Mapped[int] = mapped_column(ForeignKey("summaries.id", ondelete="CASCADE"))
    actor_id: Mapped[int] = mapped_column(ForeignKey("actors.id", ondelete="CASCADE"), index=True)
    value: Mapped[int] = mapped_column(SmallInteger)
    uri: Mapped[str | None] = mapped_column(String(2048), unique=True, default=None)

    __table_args__ = (
        UniqueConstraint("summary_id", "actor_id"),
        CheckConstraint("value IN (-1, 1)", name="value_is_plus_or_minus_one"),
        # Covers the home page's "popular" tab: recent votes summed per summary without touching the table.
        Index("ix_votes_recent", "created_at", "summary_id", "value"),
    )
