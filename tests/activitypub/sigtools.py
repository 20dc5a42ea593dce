"""Helpers of the signature tests: build signed requests, re-sign with custom parameters."""

from __future__ import annotations

from datetime import datetime

from cryptography.hazmat.primitives.asymmetric import rsa

from fediscience.activitypub.signature_header import format_signature_header
from fediscience.activitypub.signatures import SignedRequest, sign_bytes, sign_request, signing_string

from .conftest import NOW

ACTOR = "https://remote.example/users/alice"
KEY_ID = ACTOR + "#main-key"
INBOX = "https://our.example/inbox"
BODY = b'{"@context":"https://www.w3.org/ns/activitystreams","type":"Like"}'


def signed_post(
    key: rsa.RSAPrivateKey, url: str = INBOX, body: bytes = BODY, now: datetime = NOW
) -> SignedRequest:
    """A POST signed by `sign_request`, as the receiver sees it."""
    headers = sign_request("POST", url, key_id=KEY_ID, private_key=key, body=body, now=now)
    return SignedRequest("POST", _target(url), headers, body)


def signed_get(key: rsa.RSAPrivateKey, url: str = ACTOR, now: datetime = NOW) -> SignedRequest:
    """A GET signed by `sign_request`, as the receiver sees it."""
    headers = sign_request("GET", url, key_id=KEY_ID, private_key=key, now=now)
    return SignedRequest("GET", _target(url), headers)


def _target(url: str) -> str:
    path = "/" + url.split("://", 1)[1].split("/", 1)[1]
    return path


def resign(
    request: SignedRequest,
    key: rsa.RSAPrivateKey,
    names: tuple[str, ...] | None,
    *,
    algorithm: str = "rsa-sha256",
    target: str | None = None,
    created: int | None = None,
    expires: int | None = None,
    header: str = "Signature",
) -> SignedRequest:
    """The same request signed again over `names` with custom parameters (and optionally another target)."""
    headers = {k: v for k, v in request.lowered.items() if k not in ("signature", "authorization")}
    text = signing_string(
        request.method, target or request.target, headers, names or ("date",), created=created, expires=expires
    )
    value = format_signature_header(
        KEY_ID, sign_bytes(key, text.encode()), names, algorithm=algorithm, created=created, expires=expires
    )
    headers[header] = value if header == "Signature" else f"Signature {value}"
    return SignedRequest(request.method, request.target, headers, request.body)


def with_headers(request: SignedRequest, **changes: str | None) -> SignedRequest:
    """The request with headers replaced (None removes one); names use `_` for `-`."""
    headers = dict(request.lowered)
    for name, value in changes.items():
        real = name.replace("_", "-").title()
        headers = {k: v for k, v in headers.items() if k.lower() != real.lower()}
        if value is not None:
            headers[real] = value
    return SignedRequest(request.method, request.target, headers, request.body)
