"""Resolving `@user@host` through WebFinger (with Mastodon's reverse check) and URLs typed by a user."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask

from fediscience.activitypub.keys import KeyPair
from fediscience.federation.remote_actors import FetchError, GoneError, InvalidDocument, resolve_handle
from fediscience.users.services import register_user
from tests.federation_fetch.conftest import RemoteServer, Reply, jrd, serve_actor, serve_webfinger
from tests.helpers import PASSWORD


def webfinger_resources(remote: RemoteServer) -> list[str]:
    """The `resource` of every WebFinger request the server received."""
    return [
        parse_qs(urlsplit(seen.path).query)["resource"][0]
        for seen in remote.seen
        if urlsplit(seen.path).path == "/.well-known/webfinger"
    ]


@pytest.mark.parametrize("form", ["@alice@{host}", "alice@{host}", "acct:alice@{host}", "ACCT:Alice@{host}"])
def test_a_handle_resolves_through_webfinger(
    app_context: Flask, remote: RemoteServer, key_pairs: list[KeyPair], form: str
) -> None:
    doc = serve_actor(remote, "alice", key_pairs[0])
    acct = f"acct:alice@{remote.host}"
    serve_webfinger(remote, {acct: jrd(acct, doc["id"]), f"acct:Alice@{remote.host}": jrd(acct, doc["id"])})
    actor = resolve_handle(form.format(host=remote.host))
    assert (actor.uri, actor.username, actor.domain) == (doc["id"], "alice", remote.host)
    assert len(webfinger_resources(remote)) == 1  # the reverse check is that same lookup
    assert remote.hits("/users/alice") == 1


def test_a_handle_that_aliases_the_actor_passes_the_reverse_check(
    app_context: Flask, remote: RemoteServer, key_pairs: list[KeyPair]
) -> None:
    doc = serve_actor(remote, "alice", key_pairs[0])
    serve_webfinger(remote, {
        f"acct:al@{remote.host}": jrd(f"acct:al@{remote.host}", doc["id"]),
        f"acct:alice@{remote.host}": jrd(f"acct:alice@{remote.host}", doc["id"]),
    })
    assert resolve_handle(f"@al@{remote.host}").uri == doc["id"]
    assert webfinger_resources(remote) == [f"acct:al@{remote.host}", f"acct:alice@{remote.host}"]


def test_the_reverse_check_refuses_an_actor_claiming_another_handle(
    app_context: Flask, remote: RemoteServer, key_pairs: list[KeyPair]
) -> None:
    real = serve_actor(remote, "alice", key_pairs[0])
    impostor = serve_actor(remote, "impostor", key_pairs[1], preferredUsername="alice")
    serve_webfinger(remote, {
        f"acct:imp@{remote.host}": jrd(f"acct:imp@{remote.host}", impostor["id"]),
        f"acct:alice@{remote.host}": jrd(f"acct:alice@{remote.host}", real["id"]),
    })
    with pytest.raises(InvalidDocument, match="does not loop back"):
        resolve_handle(f"imp@{remote.host}")
    assert resolve_handle(f"alice@{remote.host}").uri == real["id"]  # the real alice is not shadowed


def test_a_webfinger_answer_without_a_self_link_is_refused(app_context: Flask, remote: RemoteServer) -> None:
    acct = f"acct:alice@{remote.host}"
    serve_webfinger(remote, {acct: {"subject": acct, "links": [{"rel": "self", "type": "text/html",
                                                                 "href": remote.url("/@alice")}]}})
    with pytest.raises(InvalidDocument, match="self link"):
        resolve_handle(acct)


def test_an_unknown_account(app_context: Flask, remote: RemoteServer) -> None:
    serve_webfinger(remote, {})
    with pytest.raises(FetchError, match="knows no account") as caught:
        resolve_handle(f"nobody@{remote.host}")
    assert not isinstance(caught.value, GoneError)


def test_a_webfinger_410_means_gone(app_context: Flask, remote: RemoteServer) -> None:
    remote.serve("/.well-known/webfinger", Reply(410, b"{}", {"Content-Type": "application/jrd+json"}))
    with pytest.raises(GoneError):
        resolve_handle(f"old@{remote.host}")


@pytest.mark.parametrize("text", ["", "alice", "@alice", "alice@", "a b@example.org", "alice@exa mple.org"])
def test_malformed_handles_are_refused(app_context: Flask, remote: RemoteServer, text: str) -> None:
    with pytest.raises(InvalidDocument, match="not a handle"):
        resolve_handle(text)
    assert remote.seen == []


def test_our_own_handles_resolve_locally(app_context: Flask, remote: RemoteServer) -> None:
    user = register_user("alice", "alice@example.org", PASSWORD)
    assert resolve_handle("@alice@localhost").id == user.actor.id
    assert resolve_handle("ALICE@LOCALHOST").id == user.actor.id
    assert resolve_handle("localhost@localhost").actor_type == "Application"
    with pytest.raises(GoneError):
        resolve_handle("nobody@localhost")
    assert remote.seen == []


def test_an_actor_url_typed_by_a_user(app_context: Flask, remote: RemoteServer, key_pairs: list[KeyPair]) -> None:
    doc = serve_actor(remote, "alice", key_pairs[0])
    assert resolve_handle(doc["id"]).uri == doc["id"]
    assert "text/html;q=0.1" in remote.seen[0].headers["Accept"]


def test_a_profile_page_with_an_alternate_link(
    app_context: Flask, remote: RemoteServer, key_pairs: list[KeyPair]
) -> None:
    doc = serve_actor(remote, "alice", key_pairs[0])
    page = (
        "<!doctype html><html><head><title>Alice</title>"
        '<link rel="stylesheet" href="/style.css">'
        '<link rel="alternate" type="application/activity+json" href="/users/alice">'
        "</head><body>Alice's profile</body></html>"
    )
    remote.serve("/@alice", Reply(200, page.encode(), {"Content-Type": "text/html; charset=utf-8"}))
    actor = resolve_handle(remote.url("/@alice"))
    assert (actor.uri, actor.profile_url) == (doc["id"], remote.url("/@alice"))
    remote.seen.clear()
    assert resolve_handle(remote.url("/@alice")).id == actor.id  # cached by its profile URL
    assert remote.seen == []


def test_a_page_without_an_alternate_link(app_context: Flask, remote: RemoteServer) -> None:
    remote.serve("/about", Reply(200, b"<html><head></head><body>hi</body></html>", {"Content-Type": "text/html"}))
    with pytest.raises(InvalidDocument, match="without an ActivityPub link"):
        resolve_handle(remote.url("/about"))


def test_an_alternate_link_to_something_that_is_not_an_actor(app_context: Flask, remote: RemoteServer) -> None:
    note = {"@context": "https://www.w3.org/ns/activitystreams", "id": remote.url("/notes/1"), "type": "Note",
            "content": "hi"}
    remote.serve_json("/notes/1", note)
    page = b'<link rel="alternate" type="application/activity+json" href="/notes/1">'
    remote.serve("/notes/1/page", Reply(200, page, {"Content-Type": "text/html"}))
    with pytest.raises(InvalidDocument, match="not a usable account"):
        resolve_handle(remote.url("/notes/1/page"))
