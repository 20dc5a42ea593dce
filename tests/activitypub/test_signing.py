"""Signing outbound requests and verifying them back: the shapes Mastodon sends and accepts."""

from __future__ import annotations

from datetime import timedelta

from cryptography.hazmat.primitives.asymmetric import rsa

from fediscience.activitypub.digest import make_digest
from fediscience.activitypub.signature_header import read_signature
from fediscience.activitypub.signatures import (
    SignedRequest,
    host_of,
    sign_request,
    target_of,
    verify_request,
)

from .conftest import NOW
from .sigtools import BODY, KEY_ID, resign, signed_get, signed_post


def test_post_headers_are_mastodons(private_key: rsa.RSAPrivateKey) -> None:
    headers = sign_request(
        "POST", "https://m.example/inbox", key_id=KEY_ID, private_key=private_key, body=BODY, now=NOW,
        headers={"User-Agent": "FediScience/0.1"},
    )
    assert headers["Host"] == "m.example"
    assert headers["Date"] == "Sun, 01 Jun 2025 12:00:00 GMT"
    assert headers["Digest"] == make_digest(BODY)
    assert headers["Content-Type"] == "application/activity+json"
    assert headers["User-Agent"] == "FediScience/0.1"
    assert headers["Signature"].startswith(f'keyId="{KEY_ID}",algorithm="rsa-sha256",')
    assert 'headers="(request-target) host date digest content-type",signature="' in headers["Signature"]


def test_get_headers_are_mastodons(private_key: rsa.RSAPrivateKey) -> None:
    headers = sign_request("GET", "https://m.example/users/a", key_id=KEY_ID, private_key=private_key, now=NOW)
    assert "Digest" not in headers and "Content-Type" not in headers
    assert headers["Accept"].startswith("application/activity+json, application/ld+json")
    assert read_signature(headers).headers == ("(request-target)", "host", "date", "accept")


def test_caller_headers_keep_their_content_type_and_accept(private_key: rsa.RSAPrivateKey) -> None:
    post = sign_request("POST", "https://m.example/i", key_id=KEY_ID, private_key=private_key, body=b"{}",
                        headers={"content-type": "application/ld+json", "date": "ignored"}, now=NOW)
    assert post["content-type"] == "application/ld+json" and "Content-Type" not in post
    assert "date" not in post and post["Date"].endswith("GMT")
    get = sign_request("GET", "https://m.example/u", key_id=KEY_ID, private_key=private_key,
                       headers={"Accept": "application/json"}, now=NOW)
    assert get["Accept"] == "application/json"


def test_host_and_target_of_urls() -> None:
    assert host_of("https://M.Example/inbox") == "m.example"
    assert host_of("https://m.example:443/inbox") == "m.example"
    assert host_of("http://127.0.0.1:5001/inbox") == "127.0.0.1:5001"
    assert host_of("http://[::1]:8080/x") == "[::1]:8080"
    assert target_of("https://m.example") == "/"
    assert target_of("https://m.example/a/b?x=1&y=2#frag") == "/a/b?x=1&y=2"


def test_post_round_trip(private_key: rsa.RSAPrivateKey, public_key: rsa.RSAPublicKey) -> None:
    verified = verify_request(signed_post(private_key), public_key, now=NOW, expected_host="our.example")
    assert verified.key_id == KEY_ID
    assert verified.algorithm == "rsa-sha256"
    assert verified.created == NOW
    assert verified.target == "/inbox"


def test_get_round_trip_with_query(private_key: rsa.RSAPrivateKey, public_key: rsa.RSAPublicKey) -> None:
    request = signed_get(private_key, "https://our.example/users/bob/outbox?page=2")
    verified = verify_request(request, public_key, now=NOW)
    assert verified.target == "/users/bob/outbox?page=2"
    assert verified.signed_headers == ("(request-target)", "host", "date", "accept")


def test_round_trip_through_a_port(private_key: rsa.RSAPrivateKey, public_key: rsa.RSAPublicKey) -> None:
    request = signed_post(private_key, "http://127.0.0.1:5002/inbox")
    assert request.lowered["host"] == "127.0.0.1:5002"
    assert verify_request(request, public_key, now=NOW, expected_host="127.0.0.1:5002").key_id == KEY_ID


def test_date_inside_the_window_is_accepted(private_key: rsa.RSAPrivateKey, public_key: rsa.RSAPublicKey) -> None:
    for offset in (timedelta(minutes=-59), timedelta(minutes=59)):
        assert verify_request(signed_post(private_key, now=NOW + offset), public_key, now=NOW).key_id == KEY_ID


def test_window_is_configurable(private_key: rsa.RSAPrivateKey, public_key: rsa.RSAPublicKey) -> None:
    request = signed_post(private_key, now=NOW - timedelta(hours=3))
    verified = verify_request(request, public_key, now=NOW, max_skew=timedelta(hours=12))
    assert verified.created == NOW - timedelta(hours=3)


def test_verifier_tolerates_header_name_case_and_order(
    private_key: rsa.RSAPrivateKey, public_key: rsa.RSAPublicKey
) -> None:
    request = signed_post(private_key)
    lowered = SignedRequest("post", "/inbox", {k.upper(): v for k, v in list(request.lowered.items())[::-1]}, BODY)
    assert verify_request(lowered, public_key, now=NOW).key_id == KEY_ID
    pairs = SignedRequest("POST", "/inbox", list(request.lowered.items()), BODY)
    assert verify_request(pairs, public_key, now=NOW).key_id == KEY_ID


def test_mastodon_42_signed_header_order_is_accepted(
    private_key: rsa.RSAPrivateKey, public_key: rsa.RSAPublicKey
) -> None:
    names = ("host", "date", "digest", "content-type", "(request-target)")
    request = resign(signed_post(private_key), private_key, names)
    assert verify_request(request, public_key, now=NOW).signed_headers == names
