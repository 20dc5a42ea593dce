"""Every outbound fetch path signs its GET with the instance actor's key, so servers in secure mode answer us:
actors, keys, web pages looked up by URL, outboxes, their pages and the objects they name, redirect hops.
WebFinger stays unsigned, as Mastodon's is."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask

from fediscience.activitypub import AS_CONTEXT, SignatureError, SignedRequest, load_public_key, verify_request
from fediscience.activitypub.keys import KeyPair
from fediscience.activitypub.signature_header import read_signature
from fediscience.activitypub.signatures import lower_headers
from fediscience.db import db
from fediscience.federation.client import signed_get_json
from fediscience.federation.instance_actor import instance_actor
from fediscience.federation.remote_actors import actor_for_key_id, resolve_actor_uri, resolve_handle, resolve_url
from fediscience.jobs.backfill import backfill_outbox
from tests.federation_fetch.conftest import RemoteServer, Reply, Seen, jrd, serve_actor, serve_webfinger

WEBFINGER = "/.well-known/webfinger"


def _signed_by_us(remote: RemoteServer, seen: Seen) -> bool:
    """Whether the request carries a signature by our instance actor that verifies for this host and path."""
    try:
        verify_request(SignedRequest("GET", seen.path, seen.headers),
                       load_public_key(instance_actor().public_key_pem), expected_host=remote.host)
    except SignatureError:
        return False
    params = read_signature(lower_headers(seen.headers))
    return params.key_id == "http://localhost/actor#main-key" and params.headers[:3] == (
        "(request-target)", "host", "date")


def assert_all_signed(remote: RemoteServer, expected_paths: set[str]) -> None:
    """Every non-WebFinger request was signed by us; WebFinger was not; the expected paths were all fetched."""
    fetched = {urlsplit(seen.path).path for seen in remote.seen}
    assert expected_paths <= fetched, fetched
    for seen in remote.seen:
        if seen.path.startswith(WEBFINGER):
            assert "Signature" not in seen.headers and "signature" not in lower_headers(seen.headers)
        else:
            assert _signed_by_us(remote, seen), f"GET {seen.path} was not signed by the instance actor"


def test_an_actor_fetch_is_signed(app_context: Flask, remote: RemoteServer, key_pairs: list[KeyPair]) -> None:
    doc = serve_actor(remote, "alice", key_pairs[0])
    resolve_actor_uri(doc["id"])
    assert_all_signed(remote, {"/users/alice"})


def test_a_key_fetch_and_its_owner_are_signed(
    app_context: Flask, remote: RemoteServer, key_pairs: list[KeyPair]
) -> None:
    owner = serve_actor(remote, "bob", key_pairs[0])
    owner["publicKey"]["id"] = remote.url("/keys/bob")
    remote.serve_json("/users/bob", owner)
    remote.serve_json("/keys/bob", {"@context": [AS_CONTEXT, "https://w3id.org/security/v1"], "id": remote.url(
        "/keys/bob"), "owner": owner["id"], "publicKeyPem": key_pairs[0].public_pem})
    actor = actor_for_key_id(remote.url("/keys/bob"), refresh=True)
    assert actor.uri == owner["id"]
    assert_all_signed(remote, {"/keys/bob", "/users/bob"})


def test_a_url_lookup_and_its_alternate_link_are_signed(
    app_context: Flask, remote: RemoteServer, key_pairs: list[KeyPair]
) -> None:
    doc = serve_actor(remote, "carol", key_pairs[0])
    page = f'<html><head><link rel="alternate" type="application/activity+json" href="{doc["id"]}"></head></html>'
    remote.serve("/@carol", Reply(200, page.encode(), {"Content-Type": "text/html; charset=utf-8"}))
    assert resolve_url(remote.url("/@carol")).uri == doc["id"]
    assert_all_signed(remote, {"/@carol", "/users/carol"})


def test_a_handle_lookup_signs_the_actor_fetch_but_not_webfinger(
    app_context: Flask, remote: RemoteServer, key_pairs: list[KeyPair]
) -> None:
    doc = serve_actor(remote, "dave", key_pairs[0])
    serve_webfinger(remote, {f"acct:dave@{remote.host}": jrd(f"acct:dave@{remote.host}", doc["id"])})
    assert resolve_handle(f"@dave@{remote.host}").uri == doc["id"]
    assert_all_signed(remote, {WEBFINGER, "/users/dave"})


def test_an_outbox_its_page_and_the_objects_it_names_are_signed(
    app_context: Flask, remote: RemoteServer, key_pairs: list[KeyPair]
) -> None:
    doc = serve_actor(remote, "erin", key_pairs[0])
    actor = resolve_actor_uri(doc["id"])
    db.session.commit()
    outbox = doc["outbox"]
    remote.serve_json("/users/erin/outbox", {"@context": AS_CONTEXT, "id": outbox, "type": "OrderedCollection",
                                             "totalItems": 1, "first": f"{outbox}?page=1"})
    remote.serve_json("/users/erin/outbox?page=1", {"@context": AS_CONTEXT, "id": f"{outbox}?page=1",
                                                    "type": "OrderedCollectionPage",
                                                    "orderedItems": [remote.url("/users/erin/statuses/1/activity")]})
    remote.serve_json("/users/erin/statuses/1/activity", {
        "@context": AS_CONTEXT, "id": remote.url("/users/erin/statuses/1/activity"), "type": "Announce",
        "actor": doc["id"], "object": "https://elsewhere.example/notes/1"})
    remote.seen.clear()
    backfill_outbox(actor.id)
    assert remote.hits("/users/erin/statuses/1/activity") == 1
    assert_all_signed(remote, {"/users/erin/outbox", "/users/erin/statuses/1/activity"})
    assert any(seen.path == "/users/erin/outbox?page=1" for seen in remote.seen)


def test_every_redirect_hop_is_signed_for_its_own_url(
    app_context: Flask, remote: RemoteServer, key_pairs: list[KeyPair]
) -> None:
    doc = serve_actor(remote, "frank", key_pairs[0])
    remote.serve("/old/frank", Reply(301, b"", {"Location": doc["id"]}))
    assert signed_get_json(remote.url("/old/frank")) == doc
    assert_all_signed(remote, {"/old/frank", "/users/frank"})
