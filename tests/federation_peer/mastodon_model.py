"""What the Mastodon-shaped peer stores: its own accounts, the remote accounts and statuses it learnt, and a log
of every request in and out, with every Mastodon rule the other side broke (`Problem`)."""

from __future__ import annotations

import itertools
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

AS_CONTEXT = "https://www.w3.org/ns/activitystreams"
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
ACTIVITY_JSON = "application/activity+json"
LD_JSON_AS = 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"'


def now_iso(moment: datetime | None = None) -> str:
    """A time as Mastodon writes it (`iso8601`, whole seconds, Z)."""
    return (moment or datetime.now(timezone.utc)).strftime("%Y-%m-%dT%H:%M:%SZ")


def netloc(url: str) -> str:
    """host[:port] of a URL, lower-cased."""
    return urlsplit(url).netloc.lower()


def value_or_id(value: Any) -> Any:
    """Mastodon's `value_or_id`: a string as it is, an object's `id`."""
    return value.get("id") if isinstance(value, dict) else value


def as_array(value: Any) -> list[Any]:
    """Mastodon's `as_array`."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


_sequence = itertools.count()


def snowflake() -> str:
    """A status id as Mastodon makes them: milliseconds since the epoch shifted 16 bits, plus a sequence."""
    return str((int(time.time() * 1000) << 16) | (next(_sequence) & 0xFFFF))


@dataclass
class LocalAccount:
    """One of the peer's own accounts (a user, or the instance actor) with its RSA key."""

    username: str
    uri: str
    base: str
    key: rsa.RSAPrivateKey
    display_name: str = ""

    @property
    def key_id(self) -> str:
        """`<actor>#main-key`, as Mastodon names its keys."""
        return f"{self.uri}#main-key"

    @property
    def public_pem(self) -> str:
        """The public key in PEM."""
        return self.key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode()

    @property
    def inbox(self) -> str:
        """The account's own inbox."""
        return f"{self.uri}/inbox"

    @property
    def followers(self) -> str:
        """The followers collection."""
        return f"{self.uri}/followers"

    @property
    def url(self) -> str:
        """The profile page."""
        return f"{self.base}/@{self.username}"


@dataclass
class RemoteAccount:
    """A remote account as Mastodon keeps it after `ProcessAccountService`."""

    uri: str
    username: str
    domain: str
    inbox: str
    shared_inbox: str | None
    followers: str | None
    url: str | None
    key_id: str | None
    public_key: rsa.RSAPublicKey | None
    document: dict[str, Any]
    webfingered_at: float = 0.0
    public_key_pem: str | None = None  # as received: Mastodon compares the text to notice a key change

    @property
    def acct(self) -> str:
        """user@domain."""
        return f"{self.username}@{self.domain}"

    @property
    def preferred_inbox(self) -> str:
        """`coalesce(sharedInbox, inbox)` (Account.inboxes)."""
        return self.shared_inbox or self.inbox


@dataclass
class RemoteStatus:
    """A status the peer accepted from a Create, with what a Mastodon 4.4 reader would see of it."""

    uri: str
    account_uri: str
    activity_id: str
    note: dict[str, Any]
    sanitized: str
    text: str
    in_reply_to: str | None
    mentions: list[str]
    visibility: str
    edited_at: str | None
    activity: dict[str, Any]
    signer_key_id: str
    deleted: bool = False


@dataclass
class Received:
    """A POST to one of the peer's inboxes and what came of it."""

    path: str
    headers: dict[str, str]
    body: bytes
    status: int
    signer: str | None = None
    key_id: str | None = None
    error: str | None = None
    activity: dict[str, Any] | None = None
    outcome: str = "queued"


@dataclass
class Served:
    """A GET the peer answered: the path, the verified signer (if any), the answer's status."""

    path: str
    signer: str | None
    status: int
    error: str | None = None
    signed_headers: str | None = None


@dataclass
class Fetched:
    """A GET the peer made."""

    url: str
    status: int
    content_type: str
    final_url: str


@dataclass
class Sent:
    """A POST the peer made: where, what, and the answer."""

    url: str
    activity: dict[str, Any]
    status: int
    answer: str


@dataclass
class Problem:
    """A Mastodon rule the other server broke (a product bug, unless a test provoked it)."""

    rule: str
    where: str
    detail: str

    def __str__(self) -> str:
        return f"[{self.rule}] {self.where}: {self.detail}"


@dataclass
class PeerState:
    """Everything the peer knows, guarded by one lock."""

    accounts: dict[str, RemoteAccount] = field(default_factory=dict)
    follows: dict[str, dict[str, Any]] = field(default_factory=dict)
    own_statuses: dict[str, dict[str, Any]] = field(default_factory=dict)
    remote_statuses: dict[str, RemoteStatus] = field(default_factory=dict)
    tombstones: set[str] = field(default_factory=set)
    notifications: list[dict[str, Any]] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    served: list[Served] = field(default_factory=list)
    fetched: list[Fetched] = field(default_factory=list)
    sent: list[Sent] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    refollows: list[str] = field(default_factory=list)  # accounts whose key changed unannounced (RefollowWorker)
    lock: threading.RLock = field(default_factory=threading.RLock)

    def problem(self, rule: str, where: str, detail: str) -> None:
        """Record a broken rule."""
        with self.lock:
            self.problems.append(Problem(rule, where, detail))
