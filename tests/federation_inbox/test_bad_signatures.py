"""Refused deliveries through the real endpoint: each answers its 4xx with a JSON reason and stores nothing."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from flask import Flask

from fediscience.activitypub import load_private_key, make_digest
from fediscience.activitypub.httpdate import format_http_date
from fediscience.activitypub.signatures import signature_header
from fediscience.db import db
from fediscience.federation.blocks import block_domain
from fediscience.federation.models import Activity, Follow, InboxItem, Notification
from fediscience.votes.models import Vote
from tests.federation_inbox.conftest import Local, Remote, RemoteServer, activity, count, process, signed_headers

Request = dict[str, Any]  # body, headers, path


def _resign(request: Request, remote: Remote, names: tuple[str, ...], *, key: Any = None, algorithm: str = "rsa-sha256",
            key_id: str | None = None) -> None:
    """Sign the request's current headers again over `names`."""
    private = load_private_key((key or remote.key).private_pem)
    value = signature_header(private, key_id or remote.key_id, "POST", request["path"], request["headers"], names)
    request["headers"]["Signature"] = value.replace('algorithm="rsa-sha256"', f'algorithm="{algorithm}"')


def _without(name: str) -> Callable[[Request, Remote, Any], None]:
    def change(request: Request, remote: Remote, ctx: Any) -> None:
        del request["headers"][name]
    return change


def _signature(value: str) -> Callable[[Request, Remote, Any], None]:
    def change(request: Request, remote: Remote, ctx: Any) -> None:
        request["headers"]["Signature"] = value
    return change


def _dated(delta: timedelta) -> Callable[[Request, Remote, Any], None]:
    def change(request: Request, remote: Remote, ctx: Any) -> None:
        request["headers"] = signed_headers(remote, request["body"], now=datetime.now(timezone.utc) + delta)
    return change


def wrong_key(request: Request, remote: Remote, ctx: Any) -> None:
    request["headers"] = signed_headers(remote, request["body"], key=ctx.other_key)


def hs2019_wrong_key(request: Request, remote: Remote, ctx: Any) -> None:
    _resign(request, remote, ("(request-target)", "host", "date", "digest"), key=ctx.other_key, algorithm="hs2019")


def authorization_wrong_key(request: Request, remote: Remote, ctx: Any) -> None:
    wrong_key(request, remote, ctx)
    request["headers"]["Authorization"] = "Signature " + request["headers"].pop("Signature")


def digest_unsigned(request: Request, remote: Remote, ctx: Any) -> None:
    _resign(request, remote, ("(request-target)", "host", "date"))


def get_style_headers(request: Request, remote: Remote, ctx: Any) -> None:
    request["headers"]["Accept"] = "application/activity+json"
    _resign(request, remote, ("(request-target)", "host", "date", "accept"))


def date_unsigned(request: Request, remote: Remote, ctx: Any) -> None:
    _resign(request, remote, ("(request-target)", "host", "digest"))


def tampered_body(request: Request, remote: Remote, ctx: Any) -> None:
    request["body"] = request["body"].replace(b"Follow", b"Block ")


def digest_mismatch(request: Request, remote: Remote, ctx: Any) -> None:
    request["headers"]["Digest"] = make_digest(b"another body")
    _resign(request, remote, ("(request-target)", "host", "date", "digest", "content-type"))


def digest_not_sha256(request: Request, remote: Remote, ctx: Any) -> None:
    request["headers"]["Digest"] = "MD5=" + base64.b64encode(b"0123456789abcdef").decode()
    _resign(request, remote, ("(request-target)", "host", "date", "digest", "content-type"))


def unreadable_date(request: Request, remote: Remote, ctx: Any) -> None:
    request["headers"]["Date"] = "yesterday at noon"
    _resign(request, remote, ("(request-target)", "host", "date", "digest", "content-type"))


def host_mismatch(request: Request, remote: Remote, ctx: Any) -> None:
    request["headers"] = signed_headers(remote, request["body"], url="http://elsewhere.example/inbox")


def other_path(request: Request, remote: Remote, ctx: Any) -> None:
    request["headers"] = signed_headers(remote, request["body"], url="http://localhost/actor/inbox")


def signer_is_not_actor(request: Request, remote: Remote, ctx: Any) -> None:
    request["headers"] = signed_headers(remote, request["body"], key=ctx.trent.key, key_id=ctx.trent.key_id)


def unknown_key_gone(request: Request, remote: Remote, ctx: Any) -> None:
    key_id = f"{ctx.server.base}/users/nobody#main-key"
    request["headers"] = signed_headers(remote, request["body"], key_id=key_id)


def unknown_key_unreachable(request: Request, remote: Remote, ctx: Any) -> None:
    request["headers"] = signed_headers(remote, request["body"], key_id="http://127.0.0.1:9/users/x#main-key")


def created_with_rsa(request: Request, remote: Remote, ctx: Any) -> None:
    request["headers"]["Signature"] += ",created=1700000000"
    request["headers"]["Signature"] = request["headers"]["Signature"].replace('headers="', 'headers="(created) ')


def _body(text: bytes) -> Callable[[Request, Remote, Any], None]:
    def change(request: Request, remote: Remote, ctx: Any) -> None:
        request["body"] = text
        request["headers"] = signed_headers(remote, text)
    return change


def _activity_without(name: str) -> Callable[[Request, Remote, Any], None]:
    def change(request: Request, remote: Remote, ctx: Any) -> None:
        doc = json.loads(request["body"])
        del doc[name]
        _body(json.dumps(doc).encode())(request, remote, ctx)
    return change


def too_large(request: Request, remote: Remote, ctx: Any) -> None:
    doc = json.loads(request["body"])
    doc["content"] = "x" * (1024 * 1024)
    _body(json.dumps(doc).encode())(request, remote, ctx)


def blocked_domain(request: Request, remote: Remote, ctx: Any) -> None:
    with ctx.app.app_context():
        block_domain("127.0.0.1", "spam")
        db.session.commit()


CASES: list[tuple[str, Callable[[Request, Remote, Any], None], int, str]] = [
    ("missing signature", _without("Signature"), 401, "missing_signature"),
    ("wrong key (the refetched key does not verify either)", wrong_key, 401, "bad_signature"),
    ("hs2019 with the wrong key", hs2019_wrong_key, 401, "bad_signature"),
    ("Authorization: Signature with the wrong key", authorization_wrong_key, 401, "bad_signature"),
    ("stale Date", _dated(-timedelta(hours=2)), 401, "date_too_old"),
    ("future Date", _dated(timedelta(hours=2)), 401, "date_in_future"),
    ("missing Date", _without("Date"), 401, "missing_date"),
    ("unreadable Date", unreadable_date, 401, "invalid_date"),
    ("date not signed", date_unsigned, 401, "date_not_signed"),
    ("digest not signed", digest_unsigned, 401, "digest_not_signed"),
    ("GET-style signed headers on a POST", get_style_headers, 401, "digest_not_signed"),
    ("missing Digest", _without("Digest"), 401, "missing_digest"),
    ("tampered body", tampered_body, 401, "digest_mismatch"),
    ("signed Digest of another body", digest_mismatch, 401, "digest_mismatch"),
    ("Digest without SHA-256", digest_not_sha256, 401, "unsupported_digest"),
    ("Host of another server", host_mismatch, 401, "host_mismatch"),
    ("signed for another path", other_path, 401, "bad_signature"),
    ("signer is not the actor", signer_is_not_actor, 401, "signer_mismatch"),
    ("unknown key id (its actor is gone)", unknown_key_gone, 401, "key_gone"),
    ("unknown key id (its server is unreachable)", unknown_key_unreachable, 401, "unknown_key"),
    ("malformed: not parameters", _signature("garbage"), 401, "malformed_signature"),
    ("malformed: no keyId", _signature('algorithm="rsa-sha256",headers="date",signature="AAAA"'), 401,
     "malformed_signature"),
    ("malformed: signature not base64", _signature('keyId="k",headers="date",signature="%%%"'), 401,
     "malformed_signature"),
    ("malformed: repeated parameter", _signature('keyId="a",keyId="b",signature="AAAA"'), 401, "malformed_signature"),
    ("malformed: empty", _signature(" "), 401, "malformed_signature"),
    ("malformed: (created) with rsa-sha256", created_with_rsa, 401, "malformed_signature"),
    ("unsupported algorithm", _signature('keyId="k",algorithm="hmac-sha256",headers="date",signature="AAAA"'), 401,
     "unsupported_algorithm"),
    ("bad JSON", _body(b'{"type": "Follow",'), 400, "bad_json"),
    ("JSON that is not an object", _body(b'["Follow"]'), 400, "bad_context"),
    ("no ActivityStreams @context", _activity_without("@context"), 400, "bad_context"),
    ("no id", _activity_without("id"), 400, "missing_activity_id"),
    ("no actor", _activity_without("actor"), 400, "missing_actor"),
    ("no type", _activity_without("type"), 400, "missing_type"),
    ("lone surrogate", _body(b'{"@context": "https://www.w3.org/ns/activitystreams", "id": "x\\ud800"}'), 400,
     "bad_json"),
    ("body over 1 MB", too_large, 413, "too_large"),
    ("blocked domain", blocked_domain, 403, "domain_blocked"),
]


class Context:
    """What the case functions may use."""

    def __init__(self, app: Flask, server: RemoteServer, other_key: Any, trent: Remote) -> None:
        self.app, self.server, self.other_key, self.trent = app, server, other_key, trent


@pytest.mark.parametrize(("change", "status", "code"), [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_a_refused_delivery_answers_its_reason_and_stores_nothing(
    app: Flask, client: Any, mallory: Remote, trent: Remote, alice: Local, remote_instance: RemoteServer,
    key_pairs: list[Any], change: Callable[[Request, Remote, Any], None], status: int, code: str,
) -> None:
    follow = activity(mallory, "Follow", alice.url)
    body = json.dumps(follow).encode()
    request: Request = {"body": body, "headers": signed_headers(mallory, body), "path": "/inbox"}
    change(request, mallory, Context(app, remote_instance, key_pairs[3], trent))

    response = client.post(request["path"], data=request["body"], headers=request["headers"])

    assert response.status_code == status, response.get_data(as_text=True)
    assert response.is_json and response.get_json()["code"] == code
    assert response.get_json()["error"]
    process(app)
    for model in (InboxItem, Follow, Vote, Activity, Notification):
        assert count(app, model) == 0, model.__name__


def test_there_are_at_least_twenty_signature_cases() -> None:
    assert sum(1 for case in CASES if case[2] == 401) >= 20


def test_an_unsigned_post_to_a_personal_inbox_is_refused(app: Flask, client: Any, alice: Local) -> None:
    response = client.post(f"/u/{alice.public_id}/inbox", data=b"{}", headers={"Date": format_http_date()})
    assert response.status_code == 401
    assert response.get_json()["code"] == "missing_signature"
    assert count(app, InboxItem) == 0
