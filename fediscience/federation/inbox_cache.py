"""In-process caches of the inbox's accept path: verified signer keys and the set of blocked domains.

Each web process (each app) keeps its own copy, so a cached delivery costs no database query. Staleness is bounded:

- a signer's key is reused for at most `KEY_TTL` seconds. A signature that fails against it is checked against the
  stored row, then against the key refetched once, so a rotated key never waits for the TTL. A key change or an
  actor's deletion committed in this process drops the entry at once; one committed by another process (the worker
  processing an actor Update) is seen within `KEY_TTL`.
- the blocked-domain set is reloaded when it is older than `BLOCKS_TTL` seconds. A block or unblock committed in this
  process applies at once; one committed by another process (another web worker, the CLI) within `BLOCKS_TTL`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app, has_app_context
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from ..users.models import Actor

KEY_TTL = 60.0
BLOCKS_TTL = 5.0
MAX_KEYS = 10_000
_EXTENSION = "fediscience.inbox_cache"
_FORGET_KEYS = "fediscience.inbox_cache.forget_keys"
_BLOCKS_CHANGED = "fediscience.inbox_cache.blocks_changed"


@dataclass(frozen=True)
class SignerKey:
    """A key that verified a signature: whose it is, its PEM and the loaded key."""

    key_id: str
    actor_uri: str
    pem: str
    public_key: object


class KeyCache:
    """Verified signer keys by key id, each kept for `ttl` seconds (at most `max_entries`, oldest dropped first)."""

    def __init__(self, ttl: float = KEY_TTL, max_entries: int = MAX_KEYS) -> None:
        self.ttl, self.max_entries = ttl, max_entries
        self._entries: dict[str, tuple[float, SignerKey]] = {}
        self._lock = threading.Lock()

    def get(self, key_id: str) -> SignerKey | None:
        """The cached key, or None if absent or older than the TTL."""
        found = self._entries.get(key_id)
        if found is None:
            return None
        stored_at, key = found
        if time.monotonic() - stored_at > self.ttl:
            self.forget([key_id])
            return None
        return key

    def put(self, key: SignerKey) -> None:
        """Remember a key that just verified a signature."""
        with self._lock:
            self._entries.pop(key.key_id, None)
            while len(self._entries) >= self.max_entries:
                del self._entries[next(iter(self._entries))]
            self._entries[key.key_id] = (time.monotonic(), key)

    def forget(self, key_ids: Iterable[str]) -> None:
        """Drop these key ids."""
        with self._lock:
            for key_id in key_ids:
                self._entries.pop(key_id, None)


class BlockedHosts:
    """The set of blocked domains, reloaded when older than `ttl` seconds or invalidated."""

    def __init__(self, ttl: float = BLOCKS_TTL) -> None:
        self.ttl = ttl
        self._hosts: frozenset[str] = frozenset()
        self._loaded_at: float | None = None

    def current(self, load: Callable[[], Iterable[str]]) -> frozenset[str]:
        """The blocked hosts, from `load()` when the copy is missing or stale."""
        loaded_at = self._loaded_at
        if loaded_at is None or time.monotonic() - loaded_at > self.ttl:
            started = time.monotonic()  # the copy's age counts from before the query, however long it takes
            self._hosts = frozenset(load())
            self._loaded_at = started
        return self._hosts

    def invalidate(self) -> None:
        """Reload on the next use."""
        self._loaded_at = None


@dataclass
class InboxCaches:
    """The caches of one app."""

    keys: KeyCache = field(default_factory=KeyCache)
    blocked: BlockedHosts = field(default_factory=BlockedHosts)


def caches(app: Flask | None = None) -> InboxCaches:
    """The inbox caches of the app (the current one by default), created on first use."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    found = app.extensions.get(_EXTENSION)
    if found is None:
        found = app.extensions.setdefault(_EXTENSION, InboxCaches())
    return found


def note_blocks_changed(session: Session) -> None:
    """Reload the blocked-domain set once this session commits (called by block/unblock)."""
    session.info[_BLOCKS_CHANGED] = True


# Invalidation on commit ------------------------------------------------------------------------------------


@event.listens_for(Actor, "after_update")
def _actor_updated(mapper: Any, connection: Any, actor: Actor) -> None:
    state = inspect(actor)
    key_id, pem = state.attrs.key_id.history, state.attrs.public_key_pem.history
    if not key_id.has_changes() and not pem.has_changes():
        return
    gone = {value for value in (*key_id.deleted, *key_id.added, actor.key_id) if value}
    _forget_on_commit(state.session, gone)


@event.listens_for(Actor, "after_delete")
def _actor_deleted(mapper: Any, connection: Any, actor: Actor) -> None:
    if actor.key_id:
        _forget_on_commit(inspect(actor).session, {actor.key_id})


def _forget_on_commit(session: Session | None, key_ids: set[str]) -> None:
    if session is not None and key_ids:
        session.info.setdefault(_FORGET_KEYS, set()).update(key_ids)


@event.listens_for(Session, "after_commit")
def _apply_on_commit(session: Session) -> None:
    forget, blocks_changed = session.info.pop(_FORGET_KEYS, None), session.info.pop(_BLOCKS_CHANGED, False)
    if not (forget or blocks_changed) or not has_app_context():
        return
    own = caches()
    if forget:
        own.keys.forget(forget)
    if blocks_changed:
        own.blocked.invalidate()
