"""Fixtures for inbox tests: an app that may talk to 127.0.0.1, a real HTTP server playing the remote
instance (actor documents, an inbox), remote actors pre-stored with their keys, a local user, signed POSTs."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from fediscience.activitypub import AS_CONTEXT, generate_key_pair, load_private_key, sign_request
from fediscience.activitypub.keys import KeyPair
from fediscience.db import db
from fediscience.users.models import Actor
from tests.conftest import running_app
from tests.helpers import PASSWORD, wait_for_jobs


# The remote instance: a real HTTP server on 127.0.0.1 --------------------------------------------------


@dataclass
class RemoteServer:
    """What the fake remote instance serves (path → (status, JSON)) and every request it received."""

    port: int
    documents: dict[str, tuple[int, Any]] = field(default_factory=dict)
    requests: list[tuple[str, str]] = field(default_factory=list)
    delays: dict[str, float] = field(default_factory=dict)  # path → seconds to wait before answering a GET

    @property
    def base(self) -> str:
        """The remote instance's base URL."""
        return f"http://127.0.0.1:{self.port}"

    def gets(self, path: str) -> int:
        """How many GETs of this path arrived."""
        return sum(1 for method, seen in self.requests if method == "GET" and seen == path)


def _handler(server: RemoteServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
            server.requests.append(("GET", self.path))
            time.sleep(server.delays.get(self.path, 0.0))
            status, doc = server.documents.get(self.path, (404, {"error": "not found"}))
            body = json.dumps(doc).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/activity+json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:  # noqa: N802
            server.requests.append(("POST", self.path))
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.send_response(202)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture(scope="session")
def remote_server() -> Iterator[RemoteServer]:
    """The remote instance, running for the whole session."""
    state = RemoteServer(port=0)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    state.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield state
    httpd.shutdown()


@pytest.fixture
def remote_instance(remote_server: RemoteServer) -> Iterator[RemoteServer]:
    """The remote instance with no documents and no requests recorded (reset after each test)."""
    remote_server.documents.clear()
    remote_server.requests.clear()
    remote_server.delays.clear()
    yield remote_server
    remote_server.documents.clear()
    remote_server.delays.clear()


# Keys and actors -------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def key_pairs() -> list[KeyPair]:
    """A few RSA key pairs, generated once."""
    return [generate_key_pair() for _ in range(4)]


@dataclass
class Remote:
    """A remote actor we can sign as."""

    uri: str
    key_id: str
    key: KeyPair
    inbox: str
    path: str

    def document(self, key: KeyPair | None = None) -> dict[str, Any]:
        """The actor document its server serves."""
        return {
            "@context": [AS_CONTEXT, "https://w3id.org/security/v1"],
            "id": self.uri, "type": "Person", "preferredUsername": self.path.rsplit("/", 1)[1],
            "inbox": self.inbox, "endpoints": {"sharedInbox": self.uri.rsplit("/users/", 1)[0] + "/inbox"},
            "publicKey": {"id": self.key_id, "owner": self.uri, "publicKeyPem": (key or self.key).public_pem},
        }


def make_remote(server: RemoteServer, name: str, key: KeyPair, *, store: bool = True, serve: bool = True) -> Remote:
    """A remote actor on the fake instance: served there, and (unless store=False) already in our cache."""
    path = f"/users/{name}"
    uri = server.base + path
    remote = Remote(uri=uri, key_id=f"{uri}#main-key", key=key, inbox=f"{uri}/inbox", path=path)
    if serve:
        server.documents[path] = (200, remote.document())
    if store:
        actor = Actor(
            local=False, username=name, domain=f"127.0.0.1:{server.port}", uri=uri, inbox_url=remote.inbox,
            shared_inbox_url=f"{server.base}/inbox", key_id=remote.key_id, public_key_pem=key.public_pem,
        )
        db.session.add(actor)
        db.session.commit()
    return remote


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """An app on a clean database that may reach 127.0.0.1 (the fake remote instance)."""
    with running_app(database_url, tmp_path, allow_private_addresses=True) as application:
        yield application


@pytest.fixture
def mallory(app: Flask, remote_instance: RemoteServer, key_pairs: list[KeyPair]) -> Remote:
    """A remote actor, served by the remote instance and already cached here."""
    with app.app_context():
        return make_remote(remote_instance, "mallory", key_pairs[0])


@pytest.fixture
def trent(app: Flask, remote_instance: RemoteServer, key_pairs: list[KeyPair]) -> Remote:
    """Another remote actor on the same instance."""
    with app.app_context():
        return make_remote(remote_instance, "trent", key_pairs[1])


@dataclass
class Local:
    """A local user: ids and URLs."""

    actor_id: int
    public_id: str
    url: str


@pytest.fixture
def alice(app: Flask) -> Local:
    """A local user, alice (password PASSWORD)."""
    from fediscience.users.services import register_user

    with app.app_context():
        user = register_user("alice", "alice@example.org", PASSWORD)
        db.session.commit()
        return Local(user.actor.id, user.actor.public_id, f"http://localhost/u/{user.actor.public_id}")


# Signed delivery ---------------------------------------------------------------------------------------


def signed_headers(remote: Remote, body: bytes, path: str = "/inbox", **options: Any) -> dict[str, str]:
    """The headers of a POST of `body` to `path` signed as the remote actor (options: key, key_id, url, now)."""
    key = options.get("key", remote.key)
    return sign_request(
        "POST", options.get("url", f"http://localhost{path}"), key_id=options.get("key_id", remote.key_id),
        private_key=load_private_key(key.private_pem), body=body, now=options.get("now"),
    )


def deliver(client: FlaskClient, remote: Remote, activity: Any, path: str = "/inbox", **options: Any) -> Any:
    """POST an activity (a dict, or raw bytes) to an inbox, signed as the remote actor."""
    body = activity if isinstance(activity, bytes) else json.dumps(activity).encode()
    return client.post(path, data=body, headers=signed_headers(remote, body, path, **options))


def activity(remote: Remote, kind: str, obj: Any, suffix: str | None = None, **extra: Any) -> dict[str, Any]:
    """An activity by the remote actor with a fresh id."""
    global _counter
    _counter += 1
    return {
        "@context": AS_CONTEXT, "id": f"{remote.uri}#{kind.lower()}s/{suffix or _counter}",
        "type": kind, "actor": remote.uri, "object": obj, **extra,
    }


_counter = 0


def count(app: Flask, model: Any, *where: Any) -> int:
    """Rows of a model (matching the conditions)."""
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def process(app: Flask) -> None:
    """Wait for the inbox jobs (and whatever they enqueued)."""
    wait_for_jobs(app)
