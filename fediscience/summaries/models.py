"""Summaries of papers and their kept revisions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import PublicIdMixin, TimestampMixin, db, utcnow
from ..papers.models import Paper
from ..users.models import Actor


class Summary(PublicIdMixin, TimestampMixin, db.Model):
    """One actor's summary of one paper: Markdown source and its stored, sanitised rendering."""

    __tablename__ = "summaries"
    __table_args__ = (
        UniqueConstraint("paper_id", "author_id"),
        # Partial indexes serving the home tabs (latest, best) without sorting every summary.
        Index(
            "ix_summaries_public_latest", "published_at", "id",
            postgresql_where=text("NOT is_draft AND NOT is_private"), sqlite_where=text("NOT is_draft AND NOT is_private"),
        ),
        Index(
            "ix_summaries_public_best", "score", "published_at", "id",
            postgresql_where=text("NOT is_draft AND NOT is_private"), sqlite_where=text("NOT is_draft AND NOT is_private"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    paper_id: Mapped[int] = mapped_column(ForeignKey("papers.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("actors.id", ondelete="CASCADE"), index=True)
    uri: Mapped[str | None] = mapped_column(String(2048), unique=True, default=None)
    url: Mapped[str | None] = mapped_column(String(2048), default=None)
    source: Mapped[str] = mapped_column(Text)
    html: Mapped[str] = mapped_column(Text)
    is_draft: Mapped[bool] = mapped_column(Boolean, default=False)
    is_private: Mapped[bool] = mapped_column(Boolean, default=False)
    share_token: Mapped[str] = mapped_column(String(64))
    score: Mapped[int] = mapped_column(Integer, default=0)
    upvotes: Mapped[int] = mapped_column(Integer, default=0)
    downvotes: Mapped[int] = mapped_column(Integer, default=0)
    published_at: Mapped[datetime | None] = mapped_column(default=None)
    # Bumped each time a published summary is made private: its Note was deleted on other servers, which keep a
    # tombstone of that id (Mastodon refuses a later Create of it), so publishing it again needs a new Note id.
    note_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    paper: Mapped[Paper] = relationship(lazy="joined", innerjoin=True)
    author: Mapped[Actor] = relationship(lazy="joined", innerjoin=True)

    @property
    def is_public(self) -> bool:
        """Visible to everyone: published and not private."""
        return not self.is_draft and not self.is_private


class SummaryRevision(db.Model):
    """A saved state of a summary; every edit adds one."""

    __tablename__ = "summary_revisions"
    __table_args__ = (UniqueConstraint("summary_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    summary_id: Mapped[int] = mapped_column(ForeignKey("summaries.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(Text)
    html: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
