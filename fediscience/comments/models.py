"""Threaded comments on summaries."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import PublicIdMixin, TimestampMixin, db
from ..users.models import Actor

if TYPE_CHECKING:
    from ..summaries.models import Summary


class Comment(PublicIdMixin, TimestampMixin, db.Model):
    """A comment on a summary, or a reply to another comment of the same summary."""

    __tablename__ = "comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    summary_id: Mapped[int] = mapped_column(ForeignKey("summaries.id", ondelete="CASCADE"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("actors.id", ondelete="CASCADE"), index=True)
    uri: Mapped[str | None] = mapped_column(String(2048), unique=True, default=None)
    url: Mapped[str | None] = mapped_column(String(2048), default=None)
    language: Mapped[str | None] = mapped_column(String(16), default=None)
    source: Mapped[str] = mapped_column(Text)
    html: Mapped[str] = mapped_column(Text)
    edited_at: Mapped[datetime | None] = mapped_column(default=None)
    deleted_at: Mapped[datetime | None] = mapped_column(default=None)

    author: Mapped[Actor] = relationship(lazy="joined", innerjoin=True)
    summary: Mapped["Summary"] = relationship(lazy="select")

    @property
    def summary_public_id(self) -> str:
        """The public id of the summary this comment belongs to."""
        return self.summary.public_id

    @property
    def is_deleted(self) -> bool:
        """True once deleted; the row stays as a placeholder while it has replies."""
        return self.deleted_at is not None
