"""The errors of the protocol package: each carries a short code and a reason fit for a 401/400 JSON answer."""

from __future__ import annotations


class ProtocolError(ValueError):
    """Base of every error this package raises for input a remote party sent."""

    code = "invalid"

    def __init__(self, reason: str, *, code: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        if code is not None:
            self.code = code

    def as_json(self) -> dict[str, str]:
        """The error as a JSON answer body: {"error": reason, "code": code}."""
        return {"error": self.reason, "code": self.code}


class SignatureError(ProtocolError):
    """An HTTP signature (or its Digest) did not verify; answer 401."""

    code = "invalid_signature"


class MissingSignature(SignatureError):
    """The request carries neither `Signature` nor `Authorization: Signature`."""

    code = "missing_signature"


class MalformedSignature(SignatureError):
    """The Signature header cannot be parsed, or a parameter is missing or invalid."""

    code = "malformed_signature"


class UnsupportedAlgorithm(SignatureError):
    """The algorithm (or the key type) is not RSA with SHA-256."""

    code = "unsupported_algorithm"


class WeakSignature(SignatureError):
    """The signature does not cover a header that must be signed (date, digest on POST, host on GET)."""

    code = "insufficient_signed_headers"


class MissingHeader(SignatureError):
    """A header named in the signature's `headers` is absent from the request."""

    code = "missing_header"


class DateError(SignatureError):
    """The signed Date (or `(created)`) is missing, unreadable, too old or in the future."""

    code = "invalid_date"


class DigestError(SignatureError):
    """The Digest header is missing, malformed, of an unsupported algorithm, or does not match the body."""

    code = "invalid_digest"


class HostMismatch(SignatureError):
    """The Host header is not the host this server answers for."""

    code = "host_mismatch"


class BadSignature(SignatureError):
    """The signature does not verify with the key: the only failure a refetched key can cure."""

    code = "bad_signature"


class InvalidKey(ProtocolError):
    """A PEM key cannot be loaded, or is not an RSA key of an acceptable size."""

    code = "invalid_key"


class ActivityError(ProtocolError):
    """A received ActivityStreams document is structurally invalid (answer 400)."""

    code = "invalid_activity"


class WebFingerError(ProtocolError):
    """A WebFinger resource or JRD document is malformed (answer 400)."""

    code = "invalid_webfinger"
