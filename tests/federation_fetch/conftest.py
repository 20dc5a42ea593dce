"""Fixtures for outbound fetch tests: a real HTTP server on 127.0.0.1 playing remote instances, an app that may
reach it, actor documents and WebFinger answers."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask

from fediscience.activitypub import AS_CONTEXT, SignatureError, SignedRequest, generate_key_pair, load_public_key
from fediscience.activitypub import verify_request
from fediscience.activitypub.keys import KeyPair
from tests.conftest import running_app

ACTIVITY_JSON = "application/activity+json"


@dataclass
class Reply:
    """What the server answers: status, headers, body (or a function of the request producing a Reply)."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str | None] = field(default_factory=dict)
    delay: float = 0.0  # seconds before answering
    trickle: float = 0.0  # seconds between body bytes


@dataclass
class Seen:
    """A request the server received."""

    method: str
    path: str
    headers: dict[str, str]
    verified: bool | None = None


@dataclass
class RemoteServer:
    """A fake remote instance: routes (path with or without query → Reply or callable) and the requests seen."""

    port: int = 0
    routes: dict[str, Reply | Callable[[Seen], Reply]] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)
    signer_key_pem: str | None = None  # when set, GETs must be signed with this key (else 401)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def host(self) -> str:
        """host:port as in handles."""
        return f"127.0.0.1:{self.port}"

    @property
    def base(self) -> str:
        """The base URL."""
        return f"http://{self.host}"

    def url(self, path: str) -> str:
        """An absolute URL on this server."""
        return self.base + path

    def serve(self, path: str, reply: Reply | Callable[[Seen], Reply]) -> None:
        """Answer `path` with `reply`."""
        self.routes[path] = reply

    def serve_json(self, path: str, doc: Any, *, content_type: str = ACTIVITY_JSON, status: int = 200) -> None:
        """Answer `path` with a JSON document."""
        self.serve(path, Reply(status, json.dumps(doc).encode(), {"Content-Type": content_type}))

    def hits(self, path: str) -> int:
        """How many requests for this path (query ignored) arrived."""
        return sum(1 for seen in self.seen if urlsplit(seen.path).path == path)

    def reset(self) -> None:
        """Forget routes, requests and the signer key."""
        self.routes.clear()
        self.seen.clear()
        self.signer_key_pem = None


def _verify(server: RemoteServer, seen: Seen) -> bool:
    assert server.signer_key_pem is not None
    request = SignedRequest("GET", seen.path, seen.headers)
    try:
        verify_request(request, load_public_key(server.signer_key_pem), expected_host=server.host)
    except SignatureError:
        return False
    return True


def _handler(server: RemoteServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
            seen = Seen("GET", self.path, dict(self.headers.items()))
            with server.lock:
                server.seen.append(seen)
            if server.signer_key_pem is not None:
                seen.verified = _verify(server, seen)
                if not seen.verified:
                    return self._answer(Reply(401, b'{"error":"bad signature"}', {"Content-Type": "application/json"}))
            route = server.routes.get(self.path) or server.routes.get(urlsplit(self.path).path)
            if route is None:
                return self._answer(Reply(404, b'{"error":"not found"}', {"Content-Type": "application/json"}))
            self._answer(route(seen) if callable(route) else route)

        def do_POST(self) -> None:  # noqa: N802
            length = int(self.headers.get("Content-Length") or 0)
            self.rfile.read(length)
            self.do_GET()

        def _answer(self, reply: Reply) -> None:
            time.sleep(reply.delay)
            self.send_response(reply.status)
            headers = {"Content-Length": str(len(reply.body)), **reply.headers}
            for name, value in headers.items():
                if value is not None:
                    self.send_header(name, value)
            self.end_headers()
            try:
                self._write_body(reply)
            except OSError:
                self.close_connection = True  # the client gave up

        def _write_body(self, reply: Reply) -> None:
            if not reply.trickle:
                self.wfile.write(reply.body)
                return
            for index in range(len(reply.body)):
                self.wfile.write(reply.body[index:index + 1])
                self.wfile.flush()
                time.sleep(reply.trickle)

        def log_message(self, *args: Any) -> None:
            pass

    return Handler


def start_server(handler_state: RemoteServer) -> tuple[ThreadingHTTPServer, threading.Thread]:
    """Serve a RemoteServer on 127.0.0.1 (a free port) in a daemon thread."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(handler_state))
    httpd.daemon_threads = True
    handler_state.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    return httpd, thread


@pytest.fixture(scope="session")
def remote_server() -> Iterator[RemoteServer]:
    """The fake remote instance, running for the whole session."""
    state = RemoteServer()
    httpd, _thread = start_server(state)
    yield state
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def remote(remote_server: RemoteServer) -> Iterator[RemoteServer]:
    """The fake remote instance, empty at the start of each test."""
    remote_server.reset()
    yield remote_server
    remote_server.reset()


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """An app (base URL http://localhost) on a clean database that may reach 127.0.0.1."""
    with running_app(database_url, tmp_path, recorded=False, allow_private_addresses=True) as application:
        yield application


@pytest.fixture
def app_context(app: Flask) -> Iterator[Flask]:
    """An application context."""
    with app.app_context():
        yield app


@pytest.fixture(scope="session")
def key_pairs() -> list[KeyPair]:
    """RSA key pairs for remote actors, generated once."""
    return [generate_key_pair() for _ in range(3)]


def actor_doc(server: RemoteServer, name: str, key: KeyPair, /, **overrides: Any) -> dict[str, Any]:
    """A Mastodon-like Person served at /users/<name>."""
    uri = server.url(f"/users/{name}")
    doc = {
        "@context": [AS_CONTEXT, "https://w3id.org/security/v1"],
        "id": uri,
        "type": "Person",
        "preferredUsername": name,
        "name": name.title(),
        "summary": f"<p>I am {name}.</p><script>alert(1)</script>",
        "url": server.url(f"/@{name}"),
        "icon": {"type": "Image", "mediaType": "image/png", "url": server.url(f"/avatars/{name}.png")},
        "inbox": f"{uri}/inbox",
        "outbox": f"{uri}/outbox",
        "followers": f"{uri}/followers",
        "following": f"{uri}/following",
        "endpoints": {"sharedInbox": server.url("/inbox")},
        "manuallyApprovesFollowers": False,
        "publicKey": {"id": f"{uri}#main-key", "owner": uri, "publicKeyPem": key.public_pem},
    }
    doc.update(overrides)
    return doc


def serve_actor(server: RemoteServer, name: str, key: KeyPair, /, **overrides: Any) -> dict[str, Any]:
    """Serve an actor document and return it."""
    doc = actor_doc(server, name, key, **overrides)
    server.serve_json(f"/users/{name}", doc)
    return doc


def jrd(subject: str, href: str) -> dict[str, Any]:
    """A minimal WebFinger answer."""
    return {"subject": subject, "links": [{"rel": "self", "type": ACTIVITY_JSON, "href": href}]}


def serve_webfinger(server: RemoteServer, answers: dict[str, dict[str, Any]]) -> None:
    """Answer /.well-known/webfinger for each `acct:…` resource in `answers` (404 for others)."""

    def answer(seen: Seen) -> Reply:
        resource = parse_qs(urlsplit(seen.path).query).get("resource", [""])[0]
        doc = answers.get(resource)
        if doc is None:
            return Reply(404, b"{}", {"Content-Type": "application/json"})
        return Reply(200, json.dumps(doc).encode(), {"Content-Type": "application/jrd+json"})

    server.serve("/.well-known/webfinger", answer)
