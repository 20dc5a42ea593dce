"""The ActivityPub protocol, pure (stdlib + cryptography; no Flask, database or network).

Modules: `vocab` (constants, dataclasses of what we send), `parse` (tolerant readers of what we receive),
`signatures` / `signature_header` / `digest` (draft-cavage HTTP signatures as Mastodon uses them), `keys`,
`webfinger`, `nodeinfo`, `hashtags`, `mediatypes`, `dates` / `httpdate`, `errors`.
"""

from .digest import make_digest, verify_digest
from .errors import (
    ActivityError,
    BadSignature,
    DateError,
    DigestError,
    HostMismatch,
    InvalidKey,
    MalformedSignature,
    MissingHeader,
    MissingSignature,
    ProtocolError,
    SignatureError,
    UnsupportedAlgorithm,
    WeakSignature,
    WebFingerError,
)
from .keys import KeyPair, actor_id_of_key, generate_key_pair, key_id_for, load_private_key, load_public_key
from .signature_header import SignatureParams, read_signature
from .signatures import SignedRequest, VerifiedSignature, check_request, sign_request, verify_request, verify_signature
from .vocab import AS_CONTEXT, PUBLIC, SECURITY_CONTEXT

__all__ = [
    "AS_CONTEXT",
    "PUBLIC",
    "SECURITY_CONTEXT",
    "ActivityError",
    "BadSignature",
    "DateError",
    "DigestError",
    "HostMismatch",
    "InvalidKey",
    "KeyPair",
    "MalformedSignature",
    "MissingHeader",
    "MissingSignature",
    "ProtocolError",
    "SignatureError",
    "SignatureParams",
    "SignedRequest",
    "UnsupportedAlgorithm",
    "VerifiedSignature",
    "WeakSignature",
    "WebFingerError",
    "actor_id_of_key",
    "check_request",
    "generate_key_pair",
    "key_id_for",
    "load_private_key",
    "load_public_key",
    "make_digest",
    "read_signature",
    "sign_request",
    "verify_digest",
    "verify_request",
    "verify_signature",
]
