"""Every way a signed request can fail verification raises the right error, with a code and a reason."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from fediscience.activitypub import errors
from fediscience.activitypub.keys import KeyPair, load_private_key, load_public_key
from fediscience.activitypub.signatures import SignedRequest, check_request, verify_request

from .conftest import NOW
from .sigtools import BODY, resign, signed_get, signed_post, with_headers

POST_NAMES = ("(request-target)", "host", "date", "digest", "content-type")


def fails(request: SignedRequest, key: object, error: type[errors.SignatureError], code: str | None = None,
          **kwargs: object) -> errors.SignatureError:
    """Verify and expect `error` (and `code`); the error must carry a reason for the 401 body."""
    with pytest.raises(error) as caught:
        verify_request(request, key, now=NOW, **kwargs)  # type: ignore[arg-type]
    if code is not None:
        assert caught.value.code == code, caught.value.reason
    assert caught.value.reason and caught.value.as_json()["error"] == caught.value.reason
    return caught.value


def test_wrong_key(private_key: rsa.RSAPrivateKey, other_key_pair: KeyPair) -> None:
    fails(signed_post(private_key), load_public_key(other_key_pair.public_pem), errors.BadSignature, "bad_signature")


def test_stale_date(private_key: rsa.RSAPrivateKey, public_key: rsa.RSAPublicKey) -> None:
    fails(signed_post(private_key, now=NOW - timedelta(hours=2)), public_key, errors.DateError, "date_too_old")


def test_future_date(private_key: rsa.RSAPrivateKey, public_key: rsa.RSAPublicKey) -> None:
    fails(signed_post(private_key, now=NOW + timedelta(minutes=61)), public_key, errors.DateError, "date_in_future")


def test_date_far_in_the_future(private_key: rsa.RSAPrivateKey, public_key: rsa.RSAPublicKey) -> None:
    fails(signed_post(private_key, now=NOW + timedelta(days=400)), public_key, errors.DateError, "date_in_future")


def test_signed_date_header_missing(private_key: rsa.RSAPrivateKey, public_key: rsa.RSAPublicKey) -> None:
    fails(with_headers(signed_post(private_key), date=None), public_key, errors.DateError, "missing_date")


def test_unreadable_date(private_key: rsa.RSAPrivateKey, public_key: rsa.RSAPublicKey) -> None:
    request = resign(with_headers(signed_post(private_key), date="yesterday at noon"), private_key, POST_NAMES)
    fails(request, public_key, errors.DateError, "invalid_date")


def test_date_not_signed(private_key: rsa.RSAPrivateKey, public_key: rsa.RSAPublicKey) -> None:
    request = resign(signed_post(private_key), private_key, ("(request-target)", "host", "digest"))
    fails(request, public_key, errors.WeakSignature, "date_not_signed")


def test_digest_not_signed_on_post(private_key: rsa.RSAPrivateKey, public_key: rsa.RSAPublicKey) -> None:
    request = resign(signed_post(private_key), private_key, ("(request-target)", "host", "date", "content-type"))
    fails(request, public_key, errors.WeakSignature, "digest_not_signed")


def test_headers_absent_means_date_only_which_is_too_weak_for_post(
    private_key: rsa.RSAPrivateKey, public_key: rsa.RSAPublicKey
) -> None:
    fails(resign(signed_post(private_key), private_key, None), public_key, errors.WeakSignature)


def test_request_target_not_signed(private_key: rsa.RSAPrivateKey, public_key: rsa.RSAPublicKey) -> None:
    request = resign(signed_get(private_key), private_key, ("host", "date", "accept"))
    fails(request, public_key, errors.WeakSignature, "request_target_not_signed")


def test_host_not_signed_on_get(private_key: rsa.RSAPrivateKey, public_key: rsa.RSAPublicKey) -> None:
    request = resign(signed_get(private_key), private_key, ("(request-target)", "date", "accept"))
    fails(request, public_key, errors.WeakSignature, "host_not_signed")


def test_tampered_body(private_key: rsa.RSAPrivateKey, public_key: rsa.RSAPublicKey) -> None:
    request = signed_post(private_key)
    tampered = SignedRequest(request.method, request.target, request.headers, BODY.replace(b"Like", b"Undo"))
    assert "Computed SHA-256 digest" in fails(tampered, public_key, errors.DigestError, "digest_mismatch").reason


def test_digest_header_replaced_to_match_a_tampered_body(
    private_key: rsa.RSAPrivateKey, public_key: rsa.RSAPublicKey
) -> None:
    from fediscience.activitypub.digest import make_digest

    body = BODY.replace(b"Like", b"Undo")
    request = with_headers(signed_post(private_key), digest=make_digest(body))
    fails(SignedRequest("POST", "/inbox", request.headers, body), public_key, errors.BadSignature)


def test_signed_digest_header_missing(private_key: rsa.RSAPrivateKey, public_key: rsa.RSAPublicKey) -> None:
    fails(with_headers(signed_post(private_key), digest=None), public_key, errors.DigestError, "missing_digest")


def test_digest_of_an_unsupported_algorithm_only(private_key: rsa.RSAPrivateKey, public_key: rsa.RSAPublicKey) -> None:
    request = resign(with_headers(signed_post(private_key), digest="MD5=abc"), private_key, POST_NAMES)
    fails(request, public_key, errors.DigestError, "unsupported_digest")


@pytest.mark.parametrize("algorithm", ["hmac-sha256", "ecdsa-sha256", "rsa-sha1", "rsa-sha512", "ed25519"])
def test_unknown_algorithm(private_key: rsa.RSAPrivateKey, public_key: rsa.RSAPublicKey, algorithm: str) -> None:
    request = resign(signed_post(private_key), private_key, POST_NAMES, algorithm=algorithm)
    fails(request, public_key, errors.UnsupportedAlgorithm, "unsupported_algorithm")


def test_non_rsa_key(private_key: rsa.RSAPrivateKey) -> None:
    fails(signed_post(private_key), ed25519.Ed25519PrivateKey.generate().public_key(), errors.UnsupportedAlgorithm)


MALFORMED = {
    "garbage": "this is not a signature",
    "unterminated quote": 'keyId="https://r.example/a#main-key,signature="AAAA',
    "bare word": 'keyId="k",signature',
    "empty": "   ",
    "duplicate keyId": 'keyId="a",keyId="b",signature="AAAA"',
    "no keyId": 'algorithm="rsa-sha256",headers="date",signature="AAAA"',
    "empty keyId": 'keyId="",signature="AAAA"',
    "no signature": 'keyId="k",algorithm="rsa-sha256",headers="date"',
    "empty signature": 'keyId="k",algorithm="rsa-sha256",headers="date",signature=""',
    "signature not base64": 'keyId="k",algorithm="rsa-sha256",headers="date",signature="not base64!"',
    "empty headers": 'keyId="k",headers="",signature="AAAA"',
    "created not a number": 'keyId="k",algorithm="hs2019",created=soon,headers="(created)",signature="AAAA"',
    "semicolons": 'keyId="k";algorithm="rsa-sha256";signature="AAAA"',
}


@pytest.mark.parametrize("value", MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_signature_header(
    private_key: rsa.RSAPrivateKey, public_key: rsa.RSAPublicKey, value: str
) -> None:
    request = with_headers(signed_post(private_key), signature=value)
    fails(request, public_key, errors.MalformedSignature, "malformed_signature")


def test_too_long_signature_header(private_key: rsa.RSAPrivateKey, public_key: rsa.RSAPublicKey) -> None:
    value = 'keyId="k",junk="' + "x" * 9000 + '",signature="AAAA"'
    fails(with_headers(signed_post(private_key), signature=value), public_key, errors.MalformedSignature)


def test_no_signature_at_all(private_key: rsa.RSAPrivateKey, public_key: rsa.RSAPublicKey) -> None:
    fails(with_headers(signed_post(private_key), signature=None), public_key, errors.MissingSignature)


def test_authorization_of_another_scheme(private_key: rsa.RSAPrivateKey, public_key: rsa.RSAPublicKey) -> None:
    request = with_headers(signed_post(private_key), signature=None, authorization="Bearer abc")
    fails(request, public_key, errors.MissingSignature, "missing_signature")


def test_signed_header_absent_from_request(private_key: rsa.RSAPrivateKey, public_key: rsa.RSAPublicKey) -> None:
    fails(with_headers(signed_post(private_key), content_type=None), public_key, errors.MissingHeader)


def test_changed_signed_header(private_key: rsa.RSAPrivateKey, public_key: rsa.RSAPublicKey) -> None:
    request = with_headers(signed_post(private_key), content_type="application/json")
    fails(request, public_key, errors.BadSignature)


def test_other_path(private_key: rsa.RSAPrivateKey, public_key: rsa.RSAPublicKey) -> None:
    request = signed_post(private_key)
    fails(SignedRequest("POST", "/users/bob/inbox", request.headers, BODY), public_key, errors.BadSignature)


def test_other_method(private_key: rsa.RSAPrivateKey, public_key: rsa.RSAPublicKey) -> None:
    request = signed_post(private_key)
    fails(SignedRequest("PUT", request.target, request.headers, BODY), public_key, errors.BadSignature)


def test_other_query(private_key: rsa.RSAPrivateKey, public_key: rsa.RSAPublicKey) -> None:
    request = signed_get(private_key, "https://our.example/outbox?page=1")
    fails(SignedRequest("GET", "/outbox?page=2", request.headers), public_key, errors.BadSignature)


def test_host_header_differs_from_the_signed_host(private_key: rsa.RSAPrivateKey, public_key: rsa.RSAPublicKey) -> None:
    fails(with_headers(signed_post(private_key), host="0.0.0.0:8000"), public_key, errors.BadSignature)


def test_host_not_ours(private_key: rsa.RSAPrivateKey, public_key: rsa.RSAPublicKey) -> None:
    request = signed_post(private_key, "https://elsewhere.example/inbox")
    fails(request, public_key, errors.HostMismatch, "host_mismatch", expected_host="our.example")


def test_created_is_only_for_hs2019(private_key: rsa.RSAPrivateKey, public_key: rsa.RSAPublicKey) -> None:
    names = ("(request-target)", "host", "(created)", "digest")
    request = resign(signed_post(private_key), private_key, names, created=int(NOW.timestamp()))
    fails(request, public_key, errors.MalformedSignature)


def test_created_without_its_parameter(private_key: rsa.RSAPrivateKey, public_key: rsa.RSAPublicKey) -> None:
    request = resign(signed_post(private_key), private_key, ("(request-target)", "date", "digest"), algorithm="hs2019")
    bad = with_headers(request, signature=request.lowered["signature"].replace('headers="', 'headers="(created) '))
    fails(bad, public_key, errors.MalformedSignature)


def test_expired_hs2019_signature(private_key: rsa.RSAPrivateKey, public_key: rsa.RSAPublicKey) -> None:
    created = int((NOW - timedelta(minutes=30)).timestamp())
    names = ("(request-target)", "host", "(created)", "(expires)", "digest")
    request = resign(signed_post(private_key), private_key, names, algorithm="hs2019", created=created,
                     expires=created + 60)
    fails(request, public_key, errors.DateError, "signature_expired", max_skew=timedelta(minutes=40))


def test_signature_made_with_another_key_id_still_needs_the_right_key(
    private_key: rsa.RSAPrivateKey, other_key_pair: KeyPair, public_key: rsa.RSAPublicKey
) -> None:
    other = load_private_key(other_key_pair.private_pem)
    fails(resign(signed_post(private_key), other, POST_NAMES), public_key, errors.BadSignature)


def test_truncated_signature_bytes(private_key: rsa.RSAPrivateKey, public_key: rsa.RSAPublicKey) -> None:
    request = signed_post(private_key)
    value = request.lowered["signature"]
    short = base64.b64encode(b"\x00" * 16).decode()
    fails(with_headers(request, signature=value.split('signature="')[0] + f'signature="{short}"'), public_key,
          errors.BadSignature)


def test_checks_needing_no_key_run_before_any_key_fetch(private_key: rsa.RSAPrivateKey) -> None:
    with pytest.raises(errors.DateError):
        check_request(signed_post(private_key, now=NOW - timedelta(hours=5)), now=NOW)
    assert check_request(signed_post(private_key), now=NOW).key_id.endswith("#main-key")


def test_every_error_is_a_value_error_with_a_json_body() -> None:
    error = errors.DateError("the signature's date is too old", code="date_too_old")
    assert isinstance(error, ValueError) and isinstance(error, errors.SignatureError)
    assert error.as_json() == {"error": "the signature's date is too old", "code": "date_too_old"}
