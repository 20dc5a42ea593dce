"""Signed GETs of ActivityStreams documents: the signature verifies, content type, id, status codes, blocks."""

from __future__ import annotations

import json

import pytest
from flask import Flask

from fediscience.activitypub.keys import KeyPair
from fediscience.activitypub.signature_header import read_signature
from fediscience.activitypub.signatures import lower_headers
from fediscience.db import db
from fediscience.federation.blocks import block_domain
from fediscience.federation.client import (
    BlockedDomain,
    FetchError,
    GoneError,
    InvalidDocument,
    ResponseTooLarge,
    http_client,
    signed_get_json,
)
from fediscience.federation.instance_actor import instance_actor
from tests.federation_fetch.conftest import RemoteServer, Reply, actor_doc, serve_actor

LD_JSON_AS = 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"'


def test_the_get_is_signed_by_the_instance_actor(
    app_context: Flask, remote: RemoteServer, key_pairs: list[KeyPair]
) -> None:
    remote.signer_key_pem = instance_actor().public_key_pem
    doc = serve_actor(remote, "alice", key_pairs[0])
    assert signed_get_json(doc["id"]) == doc
    seen = remote.seen[0]
    assert seen.verified is True
    params = read_signature(lower_headers(seen.headers))
    assert params.key_id == "http://localhost/actor#main-key"
    assert params.headers == ("(request-target)", "host", "date", "accept")
    assert seen.headers["User-Agent"] == "FediScience/0.1.0 (+http://localhost)"
    assert "application/activity+json" in seen.headers["Accept"]


def test_a_signature_by_another_key_does_not_verify(
    app_context: Flask, remote: RemoteServer, key_pairs: list[KeyPair]
) -> None:
    remote.signer_key_pem = key_pairs[1].public_pem
    doc = serve_actor(remote, "alice", key_pairs[0])
    with pytest.raises(FetchError, match="refused") as caught:
        signed_get_json(doc["id"])
    assert caught.value.status == 401
    assert remote.seen[0].verified is False


@pytest.mark.parametrize("content_type", ["application/activity+json", LD_JSON_AS,
                                          "application/activity+json; charset=utf-8"])
def test_activitystreams_content_types_are_accepted(
    app_context: Flask, remote: RemoteServer, key_pairs: list[KeyPair], content_type: str
) -> None:
    doc = actor_doc(remote, "alice", key_pairs[0])
    remote.serve_json("/users/alice", doc, content_type=content_type)
    assert signed_get_json(doc["id"])["id"] == doc["id"]


@pytest.mark.parametrize("content_type", ["application/json", "application/ld+json", "text/html", ""])
def test_other_content_types_are_refused(
    app_context: Flask, remote: RemoteServer, key_pairs: list[KeyPair], content_type: str
) -> None:
    doc = actor_doc(remote, "alice", key_pairs[0])
    remote.serve_json("/users/alice", doc, content_type=content_type)
    with pytest.raises(InvalidDocument, match="not ActivityStreams JSON"):
        signed_get_json(doc["id"])


@pytest.mark.parametrize("bad_id", ["http://127.0.0.1:1/users/alice", None, "{url}/", "{url}#x"])
def test_the_id_must_equal_the_url(
    app_context: Flask, remote: RemoteServer, key_pairs: list[KeyPair], bad_id: str | None
) -> None:
    url = remote.url("/users/alice")
    serve_actor(remote, "alice", key_pairs[0], id=bad_id.format(url=url) if bad_id else None)
    with pytest.raises(InvalidDocument, match="not its URL"):
        signed_get_json(url)


def test_after_a_redirect_the_id_must_equal_the_final_url(
    app_context: Flask, remote: RemoteServer, key_pairs: list[KeyPair]
) -> None:
    remote.signer_key_pem = instance_actor().public_key_pem
    doc = serve_actor(remote, "alice", key_pairs[0])
    remote.serve("/@alice", Reply(301, headers={"Location": doc["id"]}))
    assert signed_get_json(remote.url("/@alice")) == doc
    assert [seen.verified for seen in remote.seen] == [True, True]  # each hop signed for its own URL
    remote.serve_json("/moved", {**doc, "id": remote.url("/old")})
    remote.serve("/old", Reply(302, headers={"Location": "/moved"}))
    with pytest.raises(InvalidDocument, match="not its URL"):
        signed_get_json(remote.url("/old"))


@pytest.mark.parametrize("status", [404, 410])
def test_404_and_410_are_gone(app_context: Flask, remote: RemoteServer, status: int) -> None:
    remote.serve_json("/users/gone", {"type": "Tombstone"}, status=status)
    with pytest.raises(GoneError) as caught:
        signed_get_json(remote.url("/users/gone"))
    assert caught.value.status == status


@pytest.mark.parametrize("status", [500, 503, 429, 400])
def test_other_errors_are_fetch_errors_not_gone(app_context: Flask, remote: RemoteServer, status: int) -> None:
    remote.serve_json("/users/broken", {}, status=status)
    with pytest.raises(FetchError) as caught:
        signed_get_json(remote.url("/users/broken"))
    assert not isinstance(caught.value, GoneError)
    assert caught.value.status == status and str(status) in str(caught.value)


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b"", b'"text"'])
def test_a_body_that_is_not_a_json_object_is_refused(app_context: Flask, remote: RemoteServer, body: bytes) -> None:
    remote.serve("/users/odd", Reply(200, body, {"Content-Type": "application/activity+json"}))
    with pytest.raises(InvalidDocument):
        signed_get_json(remote.url("/users/odd"))


def test_an_oversized_document_is_refused(app_context: Flask, remote: RemoteServer, key_pairs: list[KeyPair]) -> None:
    doc = actor_doc(remote, "big", key_pairs[0], summary="x" * (1024 * 1024))
    remote.serve("/users/big", Reply(200, json.dumps(doc).encode(), {"Content-Type": "application/activity+json"}))
    with pytest.raises(ResponseTooLarge):
        signed_get_json(doc["id"])


def test_a_blocked_domain_is_never_fetched(app_context: Flask, remote: RemoteServer, key_pairs: list[KeyPair]) -> None:
    doc = serve_actor(remote, "alice", key_pairs[0])
    block_domain("127.0.0.1")
    db.session.commit()
    with pytest.raises(BlockedDomain, match="127.0.0.1 is blocked"):
        signed_get_json(doc["id"])
    assert remote.seen == []


def test_a_redirect_to_a_blocked_domain_is_not_followed(
    app_context: Flask, remote: RemoteServer, key_pairs: list[KeyPair]
) -> None:
    remote.serve("/hop", Reply(302, headers={"Location": f"http://localhost:{remote.port}/users/alice"}))
    serve_actor(remote, "alice", key_pairs[0])
    block_domain("localhost")
    db.session.commit()
    with pytest.raises(BlockedDomain):
        signed_get_json(remote.url("/hop"))
    assert [seen.path for seen in remote.seen] == ["/hop"]


def test_one_pooled_client_per_app(app_context: Flask) -> None:
    client = http_client()
    assert http_client() is client
    assert client.follow_redirects is False
    assert client.headers["User-Agent"].startswith("FediScience/")


def test_private_addresses_are_refused_when_not_allowed(
    app_context: Flask, remote: RemoteServer, key_pairs: list[KeyPair]
) -> None:
    from fediscience.federation.guard import AddressPolicy, BlockedAddress

    app_context.extensions["fediscience.fetch_policy"] = AddressPolicy(allow_private=False)
    doc = serve_actor(remote, "alice", key_pairs[0])
    with pytest.raises(BlockedAddress):
        signed_get_json(doc["id"])
    assert remote.seen == []
