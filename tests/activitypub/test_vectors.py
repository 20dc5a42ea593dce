"""draft-cavage-http-signatures-12 Appendix C, reproduced byte for byte with the published test key."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from fediscience.activitypub import digest, signatures
from fediscience.activitypub.errors import WeakSignature
from fediscience.activitypub.signature_header import read_signature
from fediscience.activitypub.signatures import SignedRequest

from .conftest import vector_file

TARGET = "/foo?param=value&pet=dog"
BODY = b'{"hello": "world"}'
HEADERS = {
    "Host": "example.com",
    "Date": "Sun, 05 Jan 2014 21:31:40 GMT",
    "Content-Type": "application/json",
    "Digest": "SHA-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=",
    "Content-Length": "18",
}
VECTOR_TIME = datetime(2014, 1, 5, 21, 31, 40, tzinfo=timezone.utc)
C1 = (
    "SjWJWbWN7i0wzBvtPl8rbASWz5xQW6mcJmn+ibttBqtifLN7Sazz6m79cNfwwb8DMJ5cou1s7uEGKKCs+FLEEaDV5lp7q25WqS+lavg7T8hc0Gp"
    "pauB6hbgEKTwblDHYGEtbGmtdHgVCk9SuS13F0hZ8FD0k/5OxEPXe5WozsbM="
)
C2 = (
    "qdx+H7PHHDZgy4y/Ahn9Tny9V3GP6YgBPyUXMmoxWtLbHpUnXS2mg2+SbrQDMCJypxBLSPQR2aAjn7ndmw2iicw3HMbe8VfEdKFYRqzic+efkb3"
    "nndiv/x1xSHDJWeSWkx3ButlYSuBskLu6kd9Fswtemr3lgdDEmn04swr2Os0="
)
C3 = (
    "vSdrb+dS3EceC9bcwHSo4MlyKS59iFIrhgYkz8+oVLEEzmYZZvRs8rgOp+63LEM3v+MFHB32NfpB2bEKBIvB1q52LaEUHFv120V01IL+TAD48Xa"
    "ERZFukWgHoBTLMhYS2Gb51gWxpeIq8knRmPnYePbF5MOkR0Zkly4zKH7s1dE="
)
C3_HEADERS = ("(request-target)", "host", "date", "content-type", "digest", "content-length")
CASES = [
    ("C.1", None, C1, 'keyId="Test",algorithm="rsa-sha256",signature="{sig}"'),
    ("C.2", ("(request-target)", "host", "date"), C2,
     'keyId="Test",algorithm="rsa-sha256",headers="(request-target) host date",signature="{sig}"'),
    ("C.3", C3_HEADERS, C3,
     'keyId="Test",algorithm="rsa-sha256",headers="(request-target) host date content-type digest content-length",'
     'signature="{sig}"'),
]


def test_the_vector_files_are_the_published_pair(cavage_private_key: rsa.RSAPrivateKey) -> None:
    public_pem = vector_file("cavage-test-public.pem").decode()
    assert "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDCFENGw33yGihy92pDjZQhl0C3" in public_pem
    assert cavage_private_key.key_size == 1024


def test_the_vector_digest_is_the_sha256_of_the_body() -> None:
    assert digest.make_digest(BODY) == HEADERS["Digest"]


def test_c3_signing_string_is_the_drafts() -> None:
    text = signatures.signing_string("POST", TARGET, HEADERS, C3_HEADERS)
    assert text == (
        "(request-target): post /foo?param=value&pet=dog\nhost: example.com\ndate: Sun, 05 Jan 2014 21:31:40 GMT\n"
        "content-type: application/json\ndigest: SHA-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=\n"
        "content-length: 18"
    )


@pytest.mark.parametrize(("name", "names", "expected", "header"), CASES, ids=[case[0] for case in CASES])
def test_signature_header_is_byte_for_byte_the_drafts(
    cavage_private_key: rsa.RSAPrivateKey, name: str, names: tuple[str, ...] | None, expected: str, header: str
) -> None:
    value = signatures.signature_header(cavage_private_key, "Test", "POST", TARGET, HEADERS, names)
    assert value == header.format(sig=expected)
    assert value.encode("ascii") == header.format(sig=expected).encode("ascii")


@pytest.mark.parametrize(("name", "names", "expected", "header"), CASES, ids=[case[0] for case in CASES])
def test_the_drafts_signatures_verify_with_the_public_key(
    cavage_public_key: rsa.RSAPublicKey, name: str, names: tuple[str, ...] | None, expected: str, header: str
) -> None:
    headers = {**HEADERS, "Authorization": "Signature " + header.format(sig=expected)}
    request = SignedRequest("POST", TARGET, headers, BODY)
    params = read_signature(headers)
    assert params.headers == (names or ("date",))
    assert params.headers_given is (names is not None)
    assert signatures.verify_signature(request, params, cavage_public_key) == TARGET


def test_c1_and_c2_are_too_weak_for_the_inbox_policy(cavage_public_key: rsa.RSAPublicKey) -> None:
    for _name, _names, expected, header in CASES[:2]:
        headers = {**HEADERS, "Signature": header.format(sig=expected)}
        with pytest.raises(WeakSignature):
            signatures.verify_request(SignedRequest("POST", TARGET, headers, BODY), cavage_public_key, now=VECTOR_TIME)


def test_c3_passes_the_whole_inbox_policy_at_its_date(cavage_public_key: rsa.RSAPublicKey) -> None:
    headers = {**HEADERS, "Signature": CASES[2][3].format(sig=C3)}
    verified = signatures.verify_request(
        SignedRequest("POST", TARGET, headers, BODY), cavage_public_key, now=VECTOR_TIME, expected_host="example.com"
    )
    assert verified.key_id == "Test"
    assert verified.created == VECTOR_TIME
    assert verified.signed_headers == C3_HEADERS
