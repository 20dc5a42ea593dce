"""Resolving remote actors by id and by key id: fetched, checked, upserted once, cached."""

from __future__ import annotations

import threading

import pytest
from flask import Flask
from sqlalchemy import func, select

from fediscience.activitypub import AS_CONTEXT
from fediscience.activitypub.keys import KeyPair
from fediscience.db import db
from fediscience.federation.blocks import block_domain
from fediscience.federation.remote_actors import (
    BlockedDomain,
    GoneError,
    InvalidDocument,
    actor_for_key_id,
    resolve_actor_uri,
)
from fediscience.users.models import Actor
from fediscience.users.services import register_user
from tests.federation_fetch.conftest import RemoteServer, serve_actor
from tests.helpers import PASSWORD


def remote_count(uri: str) -> int:
    """Rows with this actor id."""
    return db.session.scalar(select(func.count()).select_from(Actor).where(Actor.uri == uri)) or 0


def test_an_actor_is_fetched_and_stored(app_context: Flask, remote: RemoteServer, key_pairs: list[KeyPair]) -> None:
    doc = serve_actor(remote, "alice", key_pairs[0], manuallyApprovesFollowers=True)
    actor = resolve_actor_uri(doc["id"])
    db.session.commit()
    assert (actor.local, actor.uri, actor.username, actor.domain) == (False, doc["id"], "alice", remote.host)
    assert actor.handle == f"alice@{remote.host}"
    assert actor.display_name == "Alice"
    assert "I am alice." in actor.bio and "script" not in actor.bio and "alert" not in actor.bio
    assert actor.avatar_url == remote.url("/avatars/alice.png")
    assert actor.profile_url == remote.url("/@alice")
    assert (actor.inbox_url, actor.shared_inbox_url) == (doc["inbox"], remote.url("/inbox"))
    assert (actor.outbox_url, actor.followers_url, actor.following_url) == (
        doc["outbox"], doc["followers"], doc["following"])
    assert (actor.public_key_pem, actor.key_id) == (key_pairs[0].public_pem, f"{doc['id']}#main-key")
    assert (actor.actor_type, actor.manually_approves_followers) == ("Person", True)
    assert actor.fetched_at is not None and actor.private_key_pem is None


def test_a_cached_actor_is_not_fetched_again(
    app_context: Flask, remote: RemoteServer, key_pairs: list[KeyPair]
) -> None:
    doc = serve_actor(remote, "alice", key_pairs[0])
    first = resolve_actor_uri(doc["id"])
    assert resolve_actor_uri(doc["id"]).id == first.id
    assert remote.hits("/users/alice") == 1


def test_refresh_refetches_and_updates_one_row(
    app_context: Flask, remote: RemoteServer, key_pairs: list[KeyPair]
) -> None:
    doc = serve_actor(remote, "alice", key_pairs[0])
    first = resolve_actor_uri(doc["id"])
    db.session.commit()
    serve_actor(remote, "alice", key_pairs[1], name="Alice Renamed")
    again = resolve_actor_uri(doc["id"], refresh=True)
    db.session.commit()
    assert again.id == first.id and again.display_name == "Alice Renamed"
    assert again.public_key_pem == key_pairs[1].public_pem
    assert remote.hits("/users/alice") == 2 and remote_count(doc["id"]) == 1


def test_a_row_stored_without_fetching_is_fetched(
    app_context: Flask, remote: RemoteServer, key_pairs: list[KeyPair]
) -> None:
    doc = serve_actor(remote, "alice", key_pairs[0])
    db.session.add(Actor(local=False, username="alice", domain=remote.host, uri=doc["id"]))
    db.session.commit()
    actor = resolve_actor_uri(doc["id"])
    assert actor.inbox_url == doc["inbox"] and remote_count(doc["id"]) == 1


def test_a_profile_url_on_another_host_is_dropped(
    app_context: Flask, remote: RemoteServer, key_pairs: list[KeyPair]
) -> None:
    doc = serve_actor(remote, "alice", key_pairs[0], url="https://elsewhere.example/@alice")
    assert resolve_actor_uri(doc["id"]).profile_url is None


def test_a_key_on_another_host_or_owner_is_not_stored(
    app_context: Flask, remote: RemoteServer, key_pairs: list[KeyPair]
) -> None:
    foreign = {"id": "https://elsewhere.example/users/x#main-key", "owner": "https://elsewhere.example/users/x",
               "publicKeyPem": key_pairs[0].public_pem}
    doc = serve_actor(remote, "alice", key_pairs[0], publicKey=foreign)
    actor = resolve_actor_uri(doc["id"])
    assert (actor.public_key_pem, actor.key_id) == (None, None)
    wrong_owner = {"id": f"{doc['id']}#main-key", "owner": remote.url("/users/bob"),
                   "publicKeyPem": key_pairs[0].public_pem}
    serve_actor(remote, "alice", key_pairs[0], publicKey=wrong_owner)
    assert resolve_actor_uri(doc["id"], refresh=True).key_id is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"type": "Note"}, "not an actor"),
        ({"preferredUsername": None}, "preferredUsername"),
        ({"preferredUsername": "a b"}, "preferredUsername"),
        ({"inbox": None}, "inbox"),
        ({"inbox": "ftp://x/inbox"}, "inbox"),
        ({"@context": "https://example.org/other"}, "@context"),
    ],
)
def test_unusable_actors_are_refused(
    app_context: Flask, remote: RemoteServer, key_pairs: list[KeyPair], change: dict[str, object], message: str
) -> None:
    doc = serve_actor(remote, "alice", key_pairs[0], **change)
    with pytest.raises(InvalidDocument, match=message):
        resolve_actor_uri(doc["id"])
    assert remote_count(doc["id"]) == 0


def test_a_gone_actor(app_context: Flask, remote: RemoteServer) -> None:
    remote.serve_json("/users/gone", {"type": "Tombstone"}, status=410)
    with pytest.raises(GoneError):
        resolve_actor_uri(remote.url("/users/gone"), refresh=True)


def test_a_blocked_domain_is_not_fetched(app_context: Flask, remote: RemoteServer, key_pairs: list[KeyPair]) -> None:
    doc = serve_actor(remote, "alice", key_pairs[0])
    block_domain("127.0.0.1")
    db.session.commit()
    with pytest.raises(BlockedDomain):
        resolve_actor_uri(doc["id"])
    assert remote.seen == []


def test_our_own_actor_urls_resolve_locally(app_context: Flask, remote: RemoteServer) -> None:
    user = register_user("alice", "alice@example.org", PASSWORD)
    assert resolve_actor_uri(f"http://localhost/u/{user.actor.public_id}").id == user.actor.id
    assert resolve_actor_uri("http://localhost/actor").actor_type == "Application"
    with pytest.raises(GoneError):
        resolve_actor_uri("http://localhost/u/nobody")
    assert remote.seen == []


def test_concurrent_resolutions_store_one_row(app: Flask, remote: RemoteServer, key_pairs: list[KeyPair]) -> None:
    doc = serve_actor(remote, "alice", key_pairs[0])
    with app.app_context():
        from fediscience.federation.instance_actor import instance_actor

        instance_actor()  # so the threads race on the actor, not only on the instance actor
    ids: list[int] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)

    def work() -> None:
        try:
            with app.app_context():
                barrier.wait()
                ids.append(resolve_actor_uri(doc["id"], refresh=True).id)
                db.session.commit()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(ids) == 8 and len(set(ids)) == 1
    with app.app_context():
        assert remote_count(doc["id"]) == 1
    assert remote.hits("/users/alice") == 8


# Key ids -------------------------------------------------------------------------------------------------


def test_a_cached_key_needs_no_fetch(app_context: Flask, remote: RemoteServer, key_pairs: list[KeyPair]) -> None:
    doc = serve_actor(remote, "alice", key_pairs[0])
    actor = resolve_actor_uri(doc["id"])
    db.session.commit()
    assert actor_for_key_id(f"{doc['id']}#main-key").id == actor.id
    assert remote.hits("/users/alice") == 1


def test_an_unknown_key_fetches_its_actor(app_context: Flask, remote: RemoteServer, key_pairs: list[KeyPair]) -> None:
    doc = serve_actor(remote, "alice", key_pairs[0])
    actor = actor_for_key_id(f"{doc['id']}#main-key")
    assert (actor.uri, actor.public_key_pem) == (doc["id"], key_pairs[0].public_pem)
    assert actor_for_key_id(f"{doc['id']}#main-key", refresh=True).id == actor.id
    assert remote.hits("/users/alice") == 2


def test_a_rotated_key_is_found_by_refetching(
    app_context: Flask, remote: RemoteServer, key_pairs: list[KeyPair]
) -> None:
    doc = serve_actor(remote, "alice", key_pairs[0])
    resolve_actor_uri(doc["id"])
    rotated = {"id": f"{doc['id']}#key-2", "owner": doc["id"], "publicKeyPem": key_pairs[1].public_pem}
    serve_actor(remote, "alice", key_pairs[1], publicKey=rotated)
    actor = actor_for_key_id(f"{doc['id']}#key-2")
    assert (actor.key_id, actor.public_key_pem) == (rotated["id"], key_pairs[1].public_pem)


def test_a_key_the_actor_does_not_claim_is_refused(
    app_context: Flask, remote: RemoteServer, key_pairs: list[KeyPair]
) -> None:
    doc = serve_actor(remote, "alice", key_pairs[0])
    with pytest.raises(InvalidDocument, match="is not the key of"):
        actor_for_key_id(f"{doc['id']}#other-key")


def test_a_separate_key_document_leads_to_its_owner(
    app_context: Flask, remote: RemoteServer, key_pairs: list[KeyPair]
) -> None:
    uri = remote.url("/users/gts")
    key_url = f"{uri}/main-key"
    key = {"id": key_url, "owner": uri, "publicKeyPem": key_pairs[2].public_pem}
    serve_actor(remote, "gts", key_pairs[2], publicKey=key)
    remote.serve_json("/users/gts/main-key", {"@context": AS_CONTEXT, **key})
    actor = actor_for_key_id(key_url)
    assert (actor.uri, actor.key_id) == (uri, key_url)


def test_local_key_ids_resolve_locally(app_context: Flask, remote: RemoteServer) -> None:
    actor = register_user("alice", "alice@example.org", PASSWORD).actor
    assert actor.key_id is not None
    assert actor_for_key_id(actor.key_id).id == actor.id
    assert actor_for_key_id(actor.key_id, refresh=True).id == actor.id
    assert remote.seen == []
