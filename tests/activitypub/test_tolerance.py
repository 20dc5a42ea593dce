"""What Mastodon accepts, we accept: hs2019, Authorization, lower-case digests, target with or without query."""

from __future__ import annotations

import base64
from datetime import timedelta

from cryptography.hazmat.primitives.asymmetric import rsa

from fediscience.activitypub.digest import make_digest
from fediscience.activitypub.signature_header import parse_signature_header
from fediscience.activitypub.signatures import SignedRequest, verify_request

from .conftest import NOW
from .sigtools import KEY_ID, resign, signed_get, signed_post, with_headers

POST_NAMES = ("(request-target)", "host", "date", "digest", "content-type")


def test_hs2019_is_verified_as_rsa_sha256(private_key: rsa.RSAPrivateKey, public_key: rsa.RSAPublicKey) -> None:
    request = resign(signed_post(private_key), private_key, POST_NAMES, algorithm="hs2019")
    assert verify_request(request, public_key, now=NOW).algorithm == "hs2019"


def test_absent_algorithm_means_hs2019(private_key: rsa.RSAPrivateKey, public_key: rsa.RSAPublicKey) -> None:
    request = resign(signed_post(private_key), private_key, POST_NAMES)
    value = request.lowered["signature"].replace('algorithm="rsa-sha256",', "")
    assert verify_request(with_headers(request, signature=value), public_key, now=NOW).algorithm == "hs2019"


def test_hs2019_with_created_instead_of_date(private_key: rsa.RSAPrivateKey, public_key: rsa.RSAPublicKey) -> None:
    created = int((NOW - timedelta(minutes=2)).timestamp())
    names = ("(request-target)", "host", "(created)", "digest")
    request = with_headers(
        resign(signed_post(private_key), private_key, names, algorithm="hs2019", created=created), date=None
    )
    assert verify_request(request, public_key, now=NOW).created == NOW - timedelta(minutes=2)


def test_authorization_signature_header(private_key: rsa.RSAPrivateKey, public_key: rsa.RSAPublicKey) -> None:
    request = resign(signed_post(private_key), private_key, POST_NAMES, header="Authorization")
    assert "signature" not in request.lowered
    assert request.lowered["authorization"].startswith("Signature keyId=")
    assert verify_request(request, public_key, now=NOW).key_id == KEY_ID


def test_lower_case_digest_algorithm(private_key: rsa.RSAPrivateKey, public_key: rsa.RSAPublicKey) -> None:
    request = signed_post(private_key)
    lower = make_digest(request.body or b"").replace("SHA-256=", "sha-256=")
    request = resign(with_headers(request, digest=lower), private_key, POST_NAMES)
    assert verify_request(request, public_key, now=NOW).key_id == KEY_ID


def test_several_digests_with_one_we_know(private_key: rsa.RSAPrivateKey, public_key: rsa.RSAPublicKey) -> None:
    request = signed_post(private_key)
    several = "MD5=Q2hlY2sgSW50ZWdyaXR5IQ==, " + make_digest(request.body or b"")
    request = resign(with_headers(request, digest=several), private_key, POST_NAMES)
    assert verify_request(request, public_key, now=NOW).key_id == KEY_ID


def test_target_signed_without_the_query_mastodon_42(
    private_key: rsa.RSAPrivateKey, public_key: rsa.RSAPublicKey
) -> None:
    request = signed_get(private_key, "https://our.example/users/bob/outbox?page=1")
    request = resign(request, private_key, ("(request-target)", "host", "date", "accept"), target="/users/bob/outbox")
    assert verify_request(request, public_key, now=NOW).target == "/users/bob/outbox"


def test_target_signed_with_the_query_mastodon_43(private_key: rsa.RSAPrivateKey, public_key: rsa.RSAPublicKey) -> None:
    request = signed_get(private_key, "https://our.example/users/bob/outbox?page=1")
    assert verify_request(request, public_key, now=NOW).target == "/users/bob/outbox?page=1"


def test_flask_full_path_trailing_question_mark(private_key: rsa.RSAPrivateKey, public_key: rsa.RSAPublicKey) -> None:
    request = signed_post(private_key)
    flask_like = SignedRequest("POST", "/inbox?", request.headers, request.body)
    assert verify_request(flask_like, public_key, now=NOW).target == "/inbox"


def test_parameters_in_any_order_and_unknown_ones(private_key: rsa.RSAPrivateKey, public_key: rsa.RSAPublicKey) -> None:
    request = signed_post(private_key)
    params = parse_signature_header(request.lowered["signature"])
    signature = base64.b64encode(params.signature).decode()
    reordered = (
        f'signature="{signature}", foo="bar, baz", headers="{" ".join(params.headers)}", '
        f'keyId="{params.key_id}", algorithm=rsa-sha256, x=1'
    )
    assert verify_request(with_headers(request, signature=reordered), public_key, now=NOW).key_id == KEY_ID


def test_get_with_host_date_only(private_key: rsa.RSAPrivateKey, public_key: rsa.RSAPublicKey) -> None:
    request = resign(signed_get(private_key), private_key, ("(request-target)", "host", "date"))
    assert verify_request(request, public_key, now=NOW).signed_headers == ("(request-target)", "host", "date")


def test_repeated_header_values_are_joined(private_key: rsa.RSAPrivateKey, public_key: rsa.RSAPublicKey) -> None:
    joined = with_headers(signed_get(private_key), accept="application/activity+json, application/ld+json")
    signed = resign(joined, private_key, ("(request-target)", "host", "date", "accept"))
    pairs = [(k, v) for k, v in signed.lowered.items() if k != "accept"]
    pairs += [("Accept", "application/activity+json"), ("Accept", "application/ld+json")]
    assert verify_request(SignedRequest("GET", signed.target, pairs), public_key, now=NOW).key_id == KEY_ID
