"""Papers, their ordered authors, and pending metadata look-ups."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import PublicIdMixin, TimestampMixin, db, new_public_id, utcnow
from ..venues.models import Venue


class Paper(PublicIdMixin, TimestampMixin, db.Model):
    """A research paper; one row for all its identifiers (each unique once normalised)."""

    __tablename__ = "papers"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    venue: Mapped[str | None] = mapped_column(String(500), default=None)
    venue_id: Mapped[int | None] = mapped_column(ForeignKey("venues.id", ondelete="SET NULL"), index=True, default=None)
    authors_text: Mapped[str] = mapped_column(Text, default="")
    year: Mapped[int | None] = mapped_column(Integer, default=None, index=True)
    abstract: Mapped[str | None] = mapped_column(Text, default=None)
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    published_on: Mapped[date | None] = mapped_column(Date, default=None)
    arxiv_id: Mapped[str | None] = mapped_column(String(64), unique=True, default=None)
    arxiv_version: Mapped[str | None] = mapped_column(String(8), default=None)
    doi: Mapped[str | None] = mapped_column(String(255), unique=True, default=None)
    dblp_key: Mapped[str | None] = mapped_column(String(255), unique=True, default=None)
    landing_url: Mapped[str | None] = mapped_column(String(2048), default=None)
    pdf_url: Mapped[str | None] = mapped_column(String(2048), default=None)
    metadata_source: Mapped[str] = mapped_column(String(16), default="manual")
    provisional: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    summary_count: Mapped[int] = mapped_column(Integer, default=0, index=True)

    authors: Mapped[list["PaperAuthor"]] = relationship(
        order_by="PaperAuthor.position", cascade="all, delete-orphan", lazy="selectin"
    )
    venue_row: Mapped["Venue | None"] = relationship(lazy="select")

    @property
    def author_names(self) -> list[str]:
        """The authors' names in order."""
        return [author.name for author in self.authors]


class PaperAuthor(db.Model):
    """One author of a paper, at its position in the author list."""

    __tablename__ = "paper_authors"

    paper_id: Mapped[int] = mapped_column(ForeignKey("papers.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(300), index=True)


class PaperLookup(db.Model):
    """A request to add a paper by identifier, pending until its metadata job ends."""

    __tablename__ = "paper_lookups"
    __table_args__ = (Index("ix_paper_lookups_scheme_value", "scheme", "value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(16), unique=True, default=new_public_id)
    scheme: Mapped[str] = mapped_column(String(8))
    value: Mapped[str] = mapped_column(String(255))
    version: Mapped[str | None] = mapped_column(String(8), default=None)
    status: Mapped[str] = mapped_column(String(8), default="pending")
    error: Mapped[str | None] = mapped_column(Text, default=None)
    paper_id: Mapped[int | None] = mapped_column(ForeignKey("papers.id", ondelete="SET NULL"), default=None)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("actors.id", ondelete="SET NULL"), default=None)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    retry_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)

    paper: Mapped[Paper | None] = relationship(lazy="joined")
