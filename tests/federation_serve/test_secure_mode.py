"""Secure mode (FEDISCIENCE_AUTHORIZED_FETCH): our ActivityStreams GETs need a verified signature; the instance
actor, discovery and HTML stay public; an actor's URL answers unsigned requests with its key document only."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from fediscience.activitypub import load_private_key, sign_request
from fediscience.activitypub.keys import KeyPair
from fediscience.db import db
from fediscience.federation.blocks import block_domain
from fediscience.federation.instance_actor import instance_actor
from fediscience.users.models import Actor
from tests.conftest import make_test_app, running_app
from tests.federation_fetch.conftest import RemoteServer, actor_doc
from tests.federation_fetch.conftest import remote, remote_server  # noqa: F401  (the fake remote instance)
from tests.federation_serve.conftest import AS_ACCEPT, BASE, World

KEY_FIELDS = {"@context", "id", "type", "preferredUsername", "inbox", "publicKey"}


# Fixtures: a secure-mode app (the `world` fixture stores into it), a remote instance, a remote signer -------------


def _make_app(database_url: str, tmp_path: Path, **settings: object) -> Flask:
    return make_test_app(database_url, tmp_path, allow_private_addresses=True, **settings)


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """An app in secure mode, allowed to fetch signers' keys from 127.0.0.1."""
    with running_app(database_url, tmp_path, allow_private_addresses=True, authorized_fetch=True) as application:
        yield application


@pytest.fixture
def open_app(app: Flask, database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """The same database served without secure mode."""
    application = _make_app(database_url, tmp_path / "open")
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture(scope="module")
def keys() -> list[KeyPair]:
    """Two RSA key pairs: the signer's and a wrong one."""
    from fediscience.activitypub import generate_key_pair

    return [generate_key_pair(), generate_key_pair()]


class Signer:
    """A remote actor that signs GETs as Mastodon does (`(request-target) host date accept`, keyId `#main-key`)."""

    def __init__(self, remote: RemoteServer, name: str, key: KeyPair) -> None:
        self.doc = actor_doc(remote, name, key)
        self.key = key
        self.key_id = self.doc["publicKey"]["id"]
        remote.serve_json(f"/users/{name}", self.doc)

    def store(self, app: Flask, remote: RemoteServer) -> None:
        """Cache the actor and its key here, as after an earlier contact."""
        with app.app_context():
            db.session.add(Actor(
                local=False, username=self.doc["preferredUsername"], domain=remote.host, uri=self.doc["id"],
                inbox_url=self.doc["inbox"], key_id=self.key_id, public_key_pem=self.key.public_pem,
            ))
            db.session.commit()

    def headers(self, path: str, *, key: KeyPair | None = None, now: datetime | None = None,
                accept: str = AS_ACCEPT) -> dict[str, str]:
        """The headers of a GET of `path` on our instance, signed by this actor (or by `key` under its key id)."""
        private = load_private_key((key or self.key).private_pem)
        return sign_request("GET", f"{BASE}{path}", key_id=self.key_id, private_key=private,
                            headers={"Accept": accept}, now=now)

    def get(self, client: FlaskClient, path: str, **options: Any) -> Any:
        """GET `path` signed by this actor."""
        return client.get(path, headers=self.headers(path, **options))


@pytest.fixture
def mara(app: Flask, remote: RemoteServer, keys: list[KeyPair]) -> Signer:
    """A remote signer whose key we already have."""
    signer = Signer(remote, "mara", keys[0])
    signer.store(app, remote)
    return signer


def protected_paths(world: World) -> list[str]:
    """Every ActivityStreams document of the world that secure mode guards."""
    return [
        f"/s/{world.summary}", f"/c/{world.comment}", f"/c/{world.reply}",
        f"/u/{world.alice}/outbox", f"/u/{world.alice}/outbox?page=1", f"/u/{world.alice}/followers",
        f"/u/{world.alice}/following", f"/s/{world.summary}/replies", f"/s/{world.summary}/likes",
        f"/s/{world.summary}/shares", f"/c/{world.comment}/replies", f"/c/{world.comment}/likes",
        f"/c/{world.comment}/shares", f"/p/{world.paper}/outbox", f"/p/{world.paper}/followers", "/actor/outbox",
    ]


def _refused(response: Any, status: int) -> dict[str, Any]:
    """Check a refusal: its status, a JSON reason, private and varying on the signature."""
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/json"
    body = json.loads(response.get_data(as_text=True))
    assert isinstance(body["error"], str) and body["error"]
    _private(response)
    return body


def _private(response: Any) -> None:
    assert "public" not in response.cache_control and response.cache_control.private
    assert response.cache_control.no_store
    assert {"signature", "authorization", "accept"} <= {name.lower() for name in response.vary}


# Unsigned ---------------------------------------------------------------------------------------------------------


def test_unsigned_gets_of_documents_and_collections_are_refused(client: FlaskClient, world: World) -> None:
    for path in protected_paths(world):
        body = _refused(client.get(path, headers={"Accept": AS_ACCEPT}), 401)
        assert body["error"] == "Request not signed", path


def test_an_unsigned_get_of_an_unknown_object_does_not_reveal_that_it_is_missing(
    client: FlaskClient, world: World
) -> None:
    _refused(client.get("/s/doesnotexist", headers={"Accept": AS_ACCEPT}), 401)
    _refused(client.get(f"/s/{world.private}", headers={"Accept": AS_ACCEPT}), 401)


def test_an_unsigned_get_of_a_user_gets_the_key_document_only(client: FlaskClient, world: World) -> None:
    response = client.get(f"/u/{world.alice}", headers={"Accept": AS_ACCEPT})
    assert response.status_code == 200 and response.mimetype == "application/activity+json"
    doc = json.loads(response.get_data(as_text=True))
    assert set(doc) == KEY_FIELDS
    assert doc["id"] == f"{BASE}/u/{world.alice}" and doc["type"] == "Person"
    assert doc["preferredUsername"] == "alice" and doc["inbox"] == f"{BASE}/u/{world.alice}/inbox"
    assert doc["publicKey"]["id"] == f"{BASE}/u/{world.alice}#main-key"
    assert doc["publicKey"]["owner"] == doc["id"] and "BEGIN PUBLIC KEY" in doc["publicKey"]["publicKeyPem"]
    assert "Alice Liddell" not in response.get_data(as_text=True)  # no profile
    _private(response)


def test_an_unsigned_get_of_a_paper_group_gets_its_key_document_only(client: FlaskClient, world: World) -> None:
    doc = json.loads(client.get(f"/p/{world.paper}", headers={"Accept": AS_ACCEPT}).get_data(as_text=True))
    assert set(doc) == KEY_FIELDS and doc["type"] == "Group" and "outbox" not in doc


def test_the_instance_actor_discovery_and_html_stay_public(client: FlaskClient, world: World) -> None:
    actor = client.get("/actor", headers={"Accept": AS_ACCEPT})
    assert actor.status_code == 200 and actor.cache_control.public
    assert json.loads(actor.get_data(as_text=True))["publicKey"]["id"] == f"{BASE}/actor#main-key"
    assert client.get("/.well-known/webfinger?resource=acct:alice@localhost").status_code == 200
    assert client.get("/.well-known/host-meta").status_code == 200
    assert client.get("/.well-known/nodeinfo").status_code == 200
    assert client.get("/nodeinfo/2.1").status_code == 200
    assert client.get("/ns/fediscience.jsonld").status_code == 200
    for path in (f"/s/{world.summary}", f"/u/{world.alice}", f"/p/{world.paper}", "/"):
        page = client.get(path, headers={"Accept": "text/html"})
        assert page.status_code == 200 and page.mimetype == "text/html", path
        assert "signature" not in {name.lower() for name in page.vary}, path


# Signed -----------------------------------------------------------------------------------------------------------


def test_a_signed_get_gets_the_same_document_as_without_secure_mode(
    client: FlaskClient, open_app: Flask, world: World, mara: Signer
) -> None:
    open_client = open_app.test_client()
    for path in [*protected_paths(world), f"/p/{world.paper}"]:
        signed = mara.get(client, path)
        plain = open_client.get(path, headers={"Accept": AS_ACCEPT})
        assert signed.status_code == plain.status_code == 200, (path, signed.get_data(as_text=True)[:300])
        assert signed.mimetype == "application/activity+json"
        assert json.loads(signed.get_data(as_text=True)) == json.loads(plain.get_data(as_text=True)), path
        _private(signed)


def test_a_signed_get_of_a_user_gets_the_whole_actor(client: FlaskClient, world: World, mara: Signer) -> None:
    doc = json.loads(mara.get(client, f"/u/{world.alice}").get_data(as_text=True))
    assert doc["name"] == "Alice Liddell" and doc["outbox"] == f"{BASE}/u/{world.alice}/outbox"
    assert doc["followers"] and doc["attachment"] and set(doc) > KEY_FIELDS


def test_a_signed_get_of_a_missing_or_deleted_object_answers_as_usual(
    client: FlaskClient, world: World, mara: Signer
) -> None:
    assert mara.get(client, "/s/doesnotexist").status_code == 404
    assert mara.get(client, f"/s/{world.private}").status_code == 404


def test_the_signature_may_come_in_an_authorization_header(client: FlaskClient, world: World, mara: Signer) -> None:
    path = f"/s/{world.summary}"
    headers = mara.headers(path)
    headers["Authorization"] = "Signature " + headers.pop("Signature")
    assert client.get(path, headers=headers).status_code == 200


def test_a_signature_without_the_query_verifies_too(client: FlaskClient, world: World, mara: Signer) -> None:
    path = f"/u/{world.alice}/outbox"
    headers = mara.headers(path)  # Mastodon 4.2.0–4.2.3 signed (request-target) without the query
    assert client.get(f"{path}?page=1", headers=headers).status_code == 200


def test_an_unknown_signer_is_fetched_with_a_signed_get(
    app: Flask, client: FlaskClient, world: World, remote: RemoteServer, keys: list[KeyPair]
) -> None:
    stranger = Signer(remote, "stranger", keys[0])
    with app.app_context():
        remote.signer_key_pem = instance_actor().public_key_pem  # the remote is in secure mode too
    response = stranger.get(client, f"/s/{world.summary}")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert [seen.verified for seen in remote.seen] == [True]
    with app.app_context():
        assert db.session.query(Actor).filter_by(uri=stranger.doc["id"]).one().key_id == stranger.key_id


# Badly signed -----------------------------------------------------------------------------------------------------


def test_a_wrong_key_is_refused(client: FlaskClient, world: World, mara: Signer, keys: list[KeyPair]) -> None:
    for path in (f"/s/{world.summary}", f"/u/{world.alice}/followers"):
        body = _refused(mara.get(client, path, key=keys[1]), 401)
        assert "verify" in body["error"], body


def test_a_wrong_key_on_an_actor_is_refused_not_downgraded(
    client: FlaskClient, world: World, mara: Signer, keys: list[KeyPair]
) -> None:
    _refused(mara.get(client, f"/u/{world.alice}", key=keys[1]), 401)


@pytest.mark.parametrize("delta", [timedelta(hours=-2), timedelta(hours=2)])
def test_a_date_outside_the_window_is_refused(client: FlaskClient, world: World, mara: Signer,
                                              delta: timedelta) -> None:
    body = _refused(mara.get(client, f"/c/{world.comment}", now=datetime.now(timezone.utc) + delta), 401)
    assert "date" in body["error"]


def test_a_signature_for_another_path_is_refused(client: FlaskClient, world: World, mara: Signer) -> None:
    headers = mara.headers(f"/s/{world.summary}")
    _refused(client.get(f"/c/{world.comment}", headers=headers), 401)


def test_a_tampered_signed_header_is_refused(client: FlaskClient, world: World, mara: Signer) -> None:
    path = f"/s/{world.summary}"
    headers = mara.headers(path)
    headers["Accept"] = "application/activity+json"
    _refused(client.get(path, headers=headers), 401)
    headers = mara.headers(path)
    headers["Signature"] = headers["Signature"].replace('signature="', 'signature="AAAA')
    _refused(client.get(path, headers=headers), 401)


def test_a_signature_for_another_host_is_refused(client: FlaskClient, world: World, mara: Signer) -> None:
    path = f"/s/{world.summary}"
    private = load_private_key(mara.key.private_pem)
    headers = sign_request("GET", f"http://elsewhere.example{path}", key_id=mara.key_id, private_key=private)
    headers["Host"] = "localhost"
    _refused(client.get(path, headers=headers), 401)


def test_a_get_signed_without_host_is_refused(client: FlaskClient, world: World, mara: Signer) -> None:
    from fediscience.activitypub.signatures import signature_header

    path = f"/s/{world.summary}"
    headers = mara.headers(path)
    private = load_private_key(mara.key.private_pem)
    headers["Signature"] = signature_header(private, mara.key_id, "GET", path, headers, ("(request-target)", "date"))
    body = _refused(client.get(path, headers=headers), 401)
    assert "host" in body["error"]


def test_a_malformed_signature_is_refused(client: FlaskClient, world: World) -> None:
    _refused(client.get(f"/s/{world.summary}", headers={"Accept": AS_ACCEPT, "Signature": "garbage"}), 401)


def test_a_signer_whose_key_cannot_be_fetched_is_refused(
    client: FlaskClient, world: World, remote: RemoteServer, keys: list[KeyPair]
) -> None:
    ghost = Signer(remote, "ghost", keys[0])
    remote.routes.clear()  # its actor answers 404
    _refused(ghost.get(client, f"/s/{world.summary}"), 401)


def test_a_signer_on_a_blocked_domain_is_forbidden(
    app: Flask, client: FlaskClient, world: World, remote: RemoteServer, mara: Signer
) -> None:
    with app.app_context():
        block_domain(remote.host)
        db.session.commit()
    for path in (f"/s/{world.summary}", f"/u/{world.alice}", f"/u/{world.alice}/outbox"):
        body = _refused(mara.get(client, path), 403)
        assert "blocked" in body["error"]


# Secure mode off --------------------------------------------------------------------------------------------------


def test_without_secure_mode_unsigned_gets_work_and_a_bad_signature_is_ignored(
    open_app: Flask, world: World, mara: Signer, keys: list[KeyPair]
) -> None:
    client = open_app.test_client()
    for path in [*protected_paths(world), f"/u/{world.alice}"]:
        unsigned = client.get(path, headers={"Accept": AS_ACCEPT})
        assert unsigned.status_code == 200, path
        assert "signature" not in {name.lower() for name in unsigned.vary}
        badly = mara.get(client, path, key=keys[1], now=datetime.now(timezone.utc) - timedelta(days=1))
        assert badly.status_code == 200 and badly.get_data() == unsigned.get_data(), path
    actor = json.loads(client.get(f"/u/{world.alice}", headers={"Accept": AS_ACCEPT}).get_data(as_text=True))
    assert actor["name"] == "Alice Liddell"
