"""Fixtures for delivery tests: real HTTP inboxes on 127.0.0.1 that verify our signatures, an app allowed to
reach them (tiny back-offs), a local author with a key, remote followers, and a job runner that counts."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from fediscience import create_app
from fediscience.activitypub import SignedRequest, generate_key_pair, load_public_key, verify_request
from fediscience.activitypub.keys import KeyPair
from fediscience.db import db
from fediscience.federation import urls
from fediscience.federation.delivery_http import close_engine
from fediscience.federation.models import Follow
from fediscience.users.models import Actor
from fediscience.config import Settings
from tests.conftest import _truncate_all
from tests.helpers import TEST_SECRET, wait_for_jobs

BASE_URL = "http://127.0.0.1:5999"  # our own instance's public address (nothing listens there)


@dataclass
class Answer:
    """How an inbox answers one POST."""

    status: int = 202
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


@dataclass
class Received:
    """One POST an inbox received, and whether its signature verified with the author's key."""

    path: str
    key_id: str | None
    signed_headers: tuple[str, ...]
    body: dict[str, Any]
    verified: bool
    error: str | None
    headers: list[tuple[str, str]] = field(default_factory=list)  # as sent, to verify with other keys
    raw: bytes = b""


@dataclass
class Receiver:
    """A remote instance's inboxes: records every POST; answers from a per-path script, else 202."""

    port: int = 0
    public_pem: str = ""
    script: dict[str, list[Answer]] = field(default_factory=dict)
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def host(self) -> str:
        """The host (with port) deliveries key this instance by."""
        return f"127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        """An inbox URL on this instance."""
        return f"http://{self.host}{path}"

    def answer(self, path: str, *answers: Answer) -> None:
        """Answer the next POSTs to path with these, in order (then 202)."""
        self.script.setdefault(path, []).extend(answers)

    def posts(self, path: str | None = None) -> list[Received]:
        """The POSTs received (to one path, or all)."""
        with self.lock:
            return [r for r in self.received if path is None or r.path == path]

    def next_answer(self, path: str) -> Answer:
        """The scripted answer for the next POST to path."""
        with self.lock:
            queue = self.script.get(path)
            return queue.pop(0) if queue else Answer()

    def record(self, handler: BaseHTTPRequestHandler, body: bytes) -> None:
        """Verify the signature with the author's public key and keep what came."""
        request = SignedRequest("POST", handler.path, list(handler.headers.items()), body)
        key_id, signed, error = None, (), None
        try:
            verified = verify_request(request, load_public_key(self.public_pem), expected_host=self.host)
            key_id, signed = verified.key_id, verified.signed_headers
        except Exception as exc:  # noqa: BLE001 - any failure is recorded and asserted on
            error = f"{type(exc).__name__}: {exc}"
        with self.lock:
            self.received.append(Received(handler.path, key_id, signed, json.loads(body), error is None, error,
                                          list(handler.headers.items()), body))


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:  # noqa: N802 - the stdlib's name
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            answer = receiver.next_answer(self.path)
            receiver.record(self, body)
            time.sleep(answer.delay)
            self.send_response(answer.status)
            for name, value in answer.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture(scope="session")
def key_pair() -> KeyPair:
    """The local author's key pair, generated once."""
    return generate_key_pair()


@pytest.fixture(scope="session")
def _servers(key_pair: KeyPair) -> Iterator[list[Receiver]]:
    receivers, servers = [], []
    for _ in range(3):
        receiver = Receiver(public_pem=key_pair.public_pem)
        httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(receiver))
        httpd.daemon_threads = True
        receiver.port = httpd.server_address[1]
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        receivers.append(receiver)
        servers.append(httpd)
    yield receivers
    for httpd in servers:
        httpd.shutdown()


@pytest.fixture
def receivers(_servers: list[Receiver]) -> Iterator[list[Receiver]]:
    """Three remote instances (distinct hosts), with nothing received and nothing scripted."""
    for receiver in _servers:
        receiver.script.clear()
        receiver.received.clear()
    yield _servers


@pytest.fixture
def receiver(receivers: list[Receiver]) -> Receiver:
    """One remote instance."""
    return receivers[0]


DEFAULTS: dict[str, Any] = {
    "allow_private_addresses": True,
    "base_url": BASE_URL,
    "delivery_retry_base": 0.0001,  # the first retry waits 1.5 ms
    "delivery_read_timeout": 1.0,
    "delivery_total_timeout": 3.0,
}


@pytest.fixture
def make_app(database_url: str, tmp_path: Path) -> Iterator[Callable[..., Flask]]:
    """Build an app on the test database with delivery settings (DEFAULTS, overridable)."""
    built: list[Flask] = []

    def build(**overrides: Any) -> Flask:
        folder = tmp_path / f"app{len(built)}"
        settings = Settings(instance_path=folder / "instance", database_url=database_url, secret_key=TEST_SECRET,
                            redis_url=None, **{**DEFAULTS, **overrides})
        application = create_app(settings)
        application.config["TESTING"] = True
        built.append(application)
        return application

    yield build
    for application in built:
        wait_for_jobs(application)
        close_engine(application)
    if built:
        with built[0].app_context():
            if database_url.startswith("postgresql"):
                _truncate_all()
            db.engine.dispose()


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    """An app that may deliver to 127.0.0.1, with millisecond back-offs."""
    return make_app()


@pytest.fixture
def ctx(app: Flask) -> Iterator[Flask]:
    """An application context of the app."""
    with app.app_context():
        yield app


def new_author(name: str, pair: KeyPair) -> Actor:
    """A local actor with this key pair (committed)."""
    actor = Actor(local=True, username=name)
    db.session.add(actor)
    db.session.flush()
    actor.private_key_pem, actor.public_key_pem = pair.private_pem, pair.public_pem
    actor.key_id = urls.key_id(actor)
    db.session.commit()
    return actor


@pytest.fixture
def author(ctx: Flask, key_pair: KeyPair) -> Actor:
    """A local user's actor with its key pair (committed)."""
    return new_author("alice", key_pair)


def remote_actor(name: str, inbox: str, shared: str | None = None) -> Actor:
    """A remote account (flushed, not committed)."""
    actor = Actor(local=False, username=name, domain="remote.test", uri=f"{inbox}#{name}", inbox_url=inbox,
                  shared_inbox_url=shared)
    db.session.add(actor)
    db.session.flush()
    return actor


def follow(follower: Actor, followee: Actor, state: str = "accepted") -> None:
    """A follow row (flushed)."""
    db.session.add(Follow(follower_id=follower.id, followee_id=followee.id, state=state))
    db.session.flush()


def note(author: Actor, n: int = 1, kind: str = "Create") -> dict[str, Any]:
    """An activity payload from the author."""
    actor = urls.actor_url(author)
    return {"@context": "https://www.w3.org/ns/activitystreams", "id": f"{actor}/activities/{kind.lower()}-{n}",
            "type": kind, "actor": actor, "object": {"id": f"{actor}/notes/{n}", "type": "Note", "content": "Hi"}}


class CountingRunner:
    """Wraps the app's job runner: counts the jobs, and can drop them (a Redis flushed before they ran)."""

    def __init__(self, inner: Any, drop: bool = False) -> None:
        self.inner, self.drop, self.jobs = inner, drop, []

    def enqueue(self, func: Callable[..., Any], *args: Any) -> None:
        """Count, then run (or drop) the job."""
        self.jobs.append((func.__name__, args))
        if not self.drop:
            self.inner.enqueue(func, *args)

    def wait(self, timeout: float = 30.0) -> None:
        """Wait for the inner runner's jobs."""
        self.inner.wait(timeout)


@pytest.fixture
def runner(app: Flask) -> CountingRunner:
    """A counting runner installed in the app."""
    counting = CountingRunner(app.extensions["fediscience.jobs"])
    app.extensions["fediscience.jobs"] = counting
    return counting
