"""Federation rows: follows, inbox items, outgoing activities and their deliveries, hosts, tombstones."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import PublicIdMixin, db, utcnow
from ..users.models import Actor

if TYPE_CHECKING:
    from ..comments.models import Comment
    from ..summaries.models import Summary


class Follow(db.Model):
    """One actor following another; pending until accepted (locked accounts approve by hand)."""

    __tablename__ = "follows"
    __table_args__ = (UniqueConstraint("follower_id", "followee_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    follower_id: Mapped[int] = mapped_column(ForeignKey("actors.id", ondelete="CASCADE"), index=True)
    followee_id: Mapped[int] = mapped_column(ForeignKey("actors.id", ondelete="CASCADE"), index=True)
    state: Mapped[str] = mapped_column(String(8), default="pending")
    uri: Mapped[str | None] = mapped_column(String(2048), unique=True, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    accepted_at: Mapped[datetime | None] = mapped_column(default=None)

    follower: Mapped[Actor] = relationship(foreign_keys=[follower_id], lazy="joined", innerjoin=True)
    followee: Mapped[Actor] = relationship(foreign_keys=[followee_id], lazy="joined", innerjoin=True)


class InboxItem(db.Model):
    """An activity received at an inbox, verified and stored before 202; processed by a job."""

    __tablename__ = "inbox_items"
    __table_args__ = (Index("ix_inbox_items_status_retry_at", "status", "retry_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_uri: Mapped[str] = mapped_column(String(2048), unique=True)
    actor_uri: Mapped[str] = mapped_column(String(2048))
    activity_type: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    error: Mapped[str | None] = mapped_column(Text, default=None)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    retry_at: Mapped[datetime | None] = mapped_column(default=None)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    processed_at: Mapped[datetime | None] = mapped_column(default=None)


class Activity(PublicIdMixin, db.Model):
    """An activity we sent (or will send): immutable JSON, written with the domain change it announces."""

    __tablename__ = "activities"

    id: Mapped[int] = mapped_column(primary_key=True)
    uri: Mapped[str] = mapped_column(String(2048), unique=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("actors.id", ondelete="CASCADE"), index=True)
    activity_type: Mapped[str] = mapped_column(String(32))
    object_uri: Mapped[str | None] = mapped_column(String(2048), index=True, default=None)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set only when the activity must be signed with a key the actor has since replaced (the Update announcing
    # a rotated key is signed with the old one, so Mastodon keeps the followers: mastodon-interop.md §2).
    signing_key_id: Mapped[int | None] = mapped_column(
        ForeignKey("retired_keys.id", ondelete="SET NULL"), default=None
    )

    actor: Mapped[Actor] = relationship(lazy="joined", innerjoin=True)
    signing_key: Mapped["RetiredKey | None"] = relationship(lazy="select")


class RetiredKey(db.Model):
    """A key pair a local actor used before a rotation, kept to sign the activities announcing the new one."""

    __tablename__ = "retired_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("actors.id", ondelete="CASCADE"), index=True)
    public_key_pem: Mapped[str] = mapped_column(Text)
    private_key_pem: Mapped[str] = mapped_column(Text)
    retired_at: Mapped[datetime] = mapped_column(default=utcnow)


class Delivery(db.Model):
    """One POST of an activity to one inbox, retried with back-off until it succeeds or is given up."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("activity_id", "inbox_url"),
        Index("ix_deliveries_state_next_try_at", "state", "next_try_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # No index of its own: the unique (activity_id, inbox_url) index serves look-ups by activity, and one index fewer
    # makes the 500-row insert of a fan-out cheaper.
    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id", ondelete="CASCADE"))
    inbox_url: Mapped[str] = mapped_column(String(2048))
    host: Mapped[str] = mapped_column(String(255), index=True)
    state: Mapped[str] = mapped_column(String(10), default="pending")
    tries: Mapped[int] = mapped_column(Integer, default=0)
    next_try_at: Mapped[datetime] = mapped_column(default=utcnow)
    lease_until: Mapped[datetime | None] = mapped_column(default=None)
    last_status: Mapped[int | None] = mapped_column(Integer, default=None)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)


class RemoteHost(db.Model):
    """What we know of a remote host: failure days, circuit breaker, availability, blocking."""

    __tablename__ = "remote_hosts"

    host: Mapped[str] = mapped_column(String(255), primary_key=True)
    blocked: Mapped[bool] = mapped_column(Boolean, default=False)
    block_reason: Mapped[str | None] = mapped_column(Text, default=None)
    failure_days: Mapped[list[str]] = mapped_column(JSON, default=list)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    breaker_until: Mapped[datetime | None] = mapped_column(default=None)
    unavailable: Mapped[bool] = mapped_column(Boolean, default=False)
    last_success_at: Mapped[datetime | None] = mapped_column(default=None)


class Tombstone(db.Model):
    """A deleted object of ours: its URL answers 410 Gone with a Tombstone forever."""

    __tablename__ = "tombstones"

    uri: Mapped[str] = mapped_column(String(2048), primary_key=True)
    former_type: Mapped[str] = mapped_column(String(32))
    deleted_at: Mapped[datetime] = mapped_column(default=utcnow)


class Notification(db.Model):
    """An in-app notification: a new follower, a follow request, a comment, a reply or a mention."""

    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_recipient_id_read_at", "recipient_id", "read_at"),
        Index("ix_notifications_object_uri", "object_uri"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("actors.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    from_actor_id: Mapped[int | None] = mapped_column(ForeignKey("actors.id", ondelete="CASCADE"), default=None)
    summary_id: Mapped[int | None] = mapped_column(ForeignKey("summaries.id", ondelete="CASCADE"), default=None)
    comment_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"), default=None)
    # A mention in a remote post: its id (an Update or Delete of it finds the notification), where it lives and the
    # start of its text.
    object_uri: Mapped[str | None] = mapped_column(String(2048), default=None)
    object_url: Mapped[str | None] = mapped_column(String(2048), default=None)
    excerpt: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(default=None)

    from_actor: Mapped[Actor | None] = relationship(foreign_keys=[from_actor_id], lazy="joined")
    summary: Mapped["Summary | None"] = relationship(lazy="select")
    comment: Mapped["Comment | None"] = relationship(lazy="select")
