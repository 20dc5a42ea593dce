"""Actors (local users and, with federation, remote accounts) and the local user accounts behind them."""

from __future__ import annotations

from datetime import datetime
from sqlalchemy import Boolean, ForeignKey, Index, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import PublicIdMixin, TimestampMixin, db

class Actor(PublicIdMixin, TimestampMixin, db.Model):
    """Whoever writes, comments or votes: a local user or a remote account."""

    __tablename__ = "actors"
    __table_args__ = (Index("ix_actors_key_id", "key_id", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    local: Mapped[bool] = mapped_column(Boolean, default=True)
    username: Mapped[str] = mapped_column(String(64))
    domain: Mapped[str | None] = mapped_column(String(255), default=None)
    uri: Mapped[str | None] = mapped_column(String(2048), unique=True, default=None)
    profile_url: Mapped[str | None] = mapped_column(String(2048), default=None)
    display_name: Mapped[str] = mapped_column(String(100), default="")
    bio: Mapped[str] = mapped_column(Text, default="")
    avatar_url: Mapped[str | None] = mapped_column(String(2048), default=None)
    actor_type: Mapped[str] = mapped_column(String(16), default="Person", server_default="Person")
    manually_approves_followers: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    inbox_url: Mapped[str | None] = mapped_column(String(2048), default=None)
    shared_inbox_url: Mapped[str | None] = mapped_column(String(2048), default=None)
    outbox_url: Mapped[str | None] = mapped_column(String(2048), default=None)
    followers_url: Mapped[str | None] = mapped_column(String(2048), default=None)
    following_url: Mapped[str | None] = mapped_column(String(2048), default=None)
    public_key_pem: Mapped[str | None] = mapped_column(Text, default=None)
    private_key_pem: Mapped[str | None] = mapped_column(Text, default=None)
    key_id: Mapped[str | None] = mapped_column(String(2048), default=None)
    fetched_at: Mapped[datetime | None] = mapped_column(default=None)

    user: Mapped["User | None"] = relationship(back_populates="actor", uselist=False)

    @property
    def name(self) -> str:
        """The name shown on pages: the display name, or the username."""
        return self.display_name or self.username

    @property
    def handle(self) -> str:
        """The fediverse handle without the leading @ (username@domain for remote accounts)."""
        return self.username if self.local else f"{self.username}@{self.domain}"


class User(TimestampMixin, db.Model):
    """A local account: credentials, settings and the actor it writes as."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("actors.id", ondelete="CASCADE"), unique=True)
    username_key: Mapped[str] = mapped_column(String(64), unique=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    orcid: Mapped[str | None] = mapped_column(String(19), default=None)
    website: Mapped[str | None] = mapped_column(String(2048), default=None)
    avatar_file: Mapped[str | None] = mapped_column(String(64), default=None)
    last_login_at: Mapped[datetime | None] = mapped_column(default=None)

    actor: Mapped[Actor] = relationship(back_populates="user", lazy="joined", innerjoin=True)

    @property
    def username(self) -> str:
        """The account's username as chosen at registration."""
        return self.actor.username
