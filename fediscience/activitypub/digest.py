"""The `Digest` header (RFC 3230) over raw body bytes: `SHA-256=<base64>`, as Mastodon sends and checks it."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac

from .errors import DigestError

# Algorithms we check, by lower-cased name; other names in the list are ignored.
_ALGORITHMS = {"sha-256": hashlib.sha256, "sha-512": hashlib.sha512}
MAX_DIGEST_HEADER = 1024


def make_digest(body: bytes) -> str:
    """The Digest header value for a body: `SHA-256=<base64 of sha256(body)>`."""
    return "SHA-256=" + base64.b64encode(hashlib.sha256(body).digest()).decode("ascii")


def parse_digest(value: str) -> dict[str, str]:
    """The `algorithm=value` pairs of a Digest header, algorithm names lower-cased."""
    if len(value) > MAX_DIGEST_HEADER:
        raise DigestError("Digest header is too long", code="malformed_digest")
    pairs: dict[str, str] = {}
    for item in value.split(","):
        name, sep, encoded = item.strip().partition("=")
        if not sep or not name.strip() or not encoded.strip():
            raise DigestError(f"malformed Digest header item {item.strip()!r}", code="malformed_digest")
        pairs[name.strip().lower()] = encoded.strip()
    return pairs


def verify_digest(value: str | None, body: bytes) -> str:
    """Check a Digest header against the raw body; return the algorithm checked, or raise DigestError."""
    if value is None or not value.strip():
        raise DigestError("Digest header is missing", code="missing_digest")
    supported = {name: encoded for name, encoded in parse_digest(value).items() if name in _ALGORITHMS}
    if not supported:
        raise DigestError(
            "Digest header has no supported algorithm (SHA-256 is required)", code="unsupported_digest"
        )
    for name, encoded in supported.items():
        _check_one(name, encoded, body)
    return "sha-256" if "sha-256" in supported else next(iter(supported))


def _check_one(name: str, encoded: str, body: bytes) -> None:
    expected = _ALGORITHMS[name](body).digest()
    try:
        given = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise DigestError(f"Digest {name.upper()} value is not base64", code="malformed_digest") from None
    if len(given) != len(expected):
        raise DigestError(f"Digest {name.upper()} value has the wrong length", code="malformed_digest")
    if not hmac.compare_digest(given, expected):
        computed = base64.b64encode(expected).decode("ascii")
        raise DigestError(
            f"Digest does not match the body. Computed {name.upper()} digest: {computed}", code="digest_mismatch"
        )
