"""The Digest header over raw body bytes."""

from __future__ import annotations

import base64
import hashlib

import pytest

from fediscience.activitypub.digest import make_digest, parse_digest, verify_digest
from fediscience.activitypub.errors import DigestError

BODY = b'{"hello": "world"}'


def test_make_digest() -> None:
    assert make_digest(BODY) == "SHA-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE="
    assert make_digest(b"") == "SHA-256=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="


@pytest.mark.parametrize(
    "value",
    [
        "SHA-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=",
        "sha-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=",
        " Sha-256 = X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE= ",
        "UNIXsum=30637,SHA-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=",
        "SHA-512=" + base64.b64encode(hashlib.sha512(BODY).digest()).decode(),
    ],
)
def test_accepted_forms(value: str) -> None:
    assert verify_digest(value, BODY) in ("sha-256", "sha-512")


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (None, "missing_digest"),
        ("", "missing_digest"),
        ("MD5=rL0Y20zC+Fzt72VPzMSk2A==", "unsupported_digest"),
        ("SHA-256", "malformed_digest"),
        ("SHA-256=!!!", "malformed_digest"),
        ("SHA-256=AAAA", "malformed_digest"),
        ("SHA-256=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=", "digest_mismatch"),
        ("SHA-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=,SHA-512=AAAA", "malformed_digest"),
        ("SHA-256=" + "A" * 2000, "malformed_digest"),
    ],
)
def test_refused_forms(value: str | None, code: str) -> None:
    with pytest.raises(DigestError) as caught:
        verify_digest(value, BODY)
    assert caught.value.code == code


def test_parse_digest_lowercases_names() -> None:
    assert parse_digest("SHA-256=abc=, Foo=x") == {"sha-256": "abc=", "foo": "x"}
