"""draft-cavage-http-signatures-12 as Mastodon uses it: signing strings, signing, and verification policy."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from .digest import make_digest, verify_digest
from .errors import (
    BadSignature,
    DateError,
    HostMismatch,
    MalformedSignature,
    MissingHeader,
    UnsupportedAlgorithm,
    WeakSignature,
)
from .httpdate import format_http_date, parse_http_date
from .mediatypes import ACCEPT_ACTIVITY, ACTIVITY_JSON
from .signature_header import SignatureParams, format_signature_header, read_signature

POST_SIGNED_HEADERS = ("(request-target)", "host", "date", "digest", "content-type")
GET_SIGNED_HEADERS = ("(request-target)", "host", "date", "accept")
ALGORITHMS = frozenset({"rsa-sha256", "hs2019"})  # both verified as RSASSA-PKCS1-v1_5 with SHA-256
DEFAULT_MAX_SKEW = timedelta(hours=1)
EXPIRES_SLACK = timedelta(minutes=1)  # clock skew tolerated past an explicit `(expires)`
_BODYLESS_METHODS = frozenset({"GET", "HEAD"})
_DEFAULT_PORTS = {"http": 80, "https": 443}
_COMPUTED = frozenset({"host", "date", "digest", "signature", "authorization"})  # sign_request sets these

Headers = Mapping[str, str] | Iterable[tuple[str, str]]


def lower_headers(headers: Headers) -> dict[str, str]:
    """Header names lower-cased; repeated headers joined with ", " (as the draft says)."""
    items = headers.items() if isinstance(headers, Mapping) else headers
    merged: dict[str, str] = {}
    for name, value in items:
        key = name.lower()
        merged[key] = f"{merged[key]}, {value.strip()}" if key in merged else value.strip()
    return merged


def signing_string(
    method: str,
    target: str,
    headers: Headers,
    signed_headers: Sequence[str],
    *,
    created: int | None = None,
    expires: int | None = None,
) -> str:
    """The `name: value` lines, joined by newlines, that are signed; `target` is the path with its query."""
    lowered = lower_headers(headers)
    lines = []
    for name in signed_headers:
        lines.append(f"{name}: {_signed_value(name, method, target, lowered, created, expires)}")
    return "\n".join(lines)


def _signed_value(
    name: str, method: str, target: str, headers: dict[str, str], created: int | None, expires: int | None
) -> str:
    if name == "(request-target)":
        return f"{method.lower()} {target}"
    if name in ("(created)", "(expires)"):
        value = created if name == "(created)" else expires
        if value is None:
            raise MalformedSignature(f"{name} is signed but the {name[1:-1]} parameter is missing")
        return str(value)
    if name not in headers:
        raise MissingHeader(f"the signed header {name!r} is not in the request", code=f"missing_{name}_header")
    return headers[name]


def sign_bytes(private_key: rsa.RSAPrivateKey, data: bytes) -> bytes:
    """An RSASSA-PKCS1-v1_5 SHA-256 signature (the rsa-sha256 algorithm)."""
    return private_key.sign(data, padding.PKCS1v15(), hashes.SHA256())


def signature_header(
    private_key: rsa.RSAPrivateKey,
    key_id: str,
    method: str,
    target: str,
    headers: Headers,
    signed_headers: Sequence[str] | None,
) -> str:
    """The Signature header value over `signed_headers`; None signs `date` alone and omits `headers=`."""
    names = tuple(signed_headers) if signed_headers is not None else ("date",)
    text = signing_string(method, target, headers, names)
    signature = sign_bytes(private_key, text.encode("utf-8"))
    return format_signature_header(key_id, signature, names if signed_headers is not None else None)


def host_of(url: str) -> str:
    """The Host header for a URL: its host (lower-cased), with the port only when not the scheme's default."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    if parts.port is not None and parts.port != _DEFAULT_PORTS.get(parts.scheme.lower()):
        host = f"{host}:{parts.port}"
    return host


def target_of(url: str) -> str:
    """The request target of a URL: its path (at least `/`) and `?query` when there is one."""
    parts = urlsplit(url)
    path = parts.path or "/"
    return f"{path}?{parts.query}" if parts.query else path


def sign_request(
    method: str,
    url: str,
    *,
    key_id: str,
    private_key: rsa.RSAPrivateKey,
    body: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    now: datetime | None = None,
) -> dict[str, str]:
    """The headers to send for a signed request (Host, Date, Digest/Content-Type or Accept, Signature).

    With a body: Digest and Content-Type (default `application/activity+json`) and the POST set
    `(request-target) host date digest content-type`. Without: Accept (default ActivityStreams) and
    `(request-target) host date accept`. Extra `headers` are sent as given and not signed.
    """
    out = {name: value for name, value in (headers or {}).items() if name.lower() not in _COMPUTED}
    given = {name.lower() for name in out}
    out["Host"] = host_of(url)
    out["Date"] = format_http_date(now)
    names: tuple[str, ...]
    if body is not None:
        out["Digest"] = make_digest(body)
        if "content-type" not in given:
            out["Content-Type"] = ACTIVITY_JSON
        names = POST_SIGNED_HEADERS
    else:
        if "accept" not in given:
            out["Accept"] = ACCEPT_ACTIVITY
        names = GET_SIGNED_HEADERS
    out["Signature"] = signature_header(private_key, key_id, method, target_of(url), out, names)
    return out


@dataclass(frozen=True)
class SignedRequest:
    """A received request as the verifier needs it: raw method, target (path + query), headers and body."""

    method: str
    target: str
    headers: Headers  # a mapping (any letter case) or (name, value) pairs
    body: bytes | None = None
    lowered: dict[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "lowered", lower_headers(self.headers))


@dataclass(frozen=True)
class VerifiedSignature:
    """A signature that verified: who signed, with what, over which headers, when."""

    key_id: str
    algorithm: str
    signed_headers: tuple[str, ...]
    created: datetime
    target: str  # the request-target form that verified (with or without the query)


def check_request(
    request: SignedRequest,
    params: SignatureParams | None = None,
    *,
    now: datetime | None = None,
    max_skew: timedelta = DEFAULT_MAX_SKEW,
    expected_host: str | None = None,
) -> SignatureParams:
    """Every check that needs no key: algorithm, signed headers, Host, Date window, Digest. Returns the params.

    Run it before fetching the signer's key, so a stale or weak request costs no fetch.
    """
    params = params if params is not None else read_signature(request.lowered)
    _check_algorithm(params)
    _check_strength(params, request)
    _check_host(request, expected_host)
    _check_time(params, request, now or datetime.now(timezone.utc), max_skew)
    if "digest" in params.headers or request.method.upper() not in _BODYLESS_METHODS:
        verify_digest(request.lowered.get("digest"), request.body or b"")
    return params


def verify_signature(request: SignedRequest, params: SignatureParams, public_key: object) -> str:
    """Check the RSA signature itself, with the query in `(request-target)` and then without; return the target."""
    if not isinstance(public_key, rsa.RSAPublicKey):
        raise UnsupportedAlgorithm("only RSA keys are supported")
    for target in _target_candidates(request.target):
        text = signing_string(
            request.method, target, request.lowered, params.headers, created=params.created, expires=params.expires
        )
        try:
            public_key.verify(params.signature, text.encode("utf-8"), padding.PKCS1v15(), hashes.SHA256())
        except InvalidSignature:
            continue
        return target
    raise BadSignature("the signature does not verify with the signer's key")


def verify_request(
    request: SignedRequest,
    public_key: object,
    *,
    params: SignatureParams | None = None,
    now: datetime | None = None,
    max_skew: timedelta = DEFAULT_MAX_SKEW,
    expected_host: str | None = None,
) -> VerifiedSignature:
    """`check_request` then `verify_signature`: the whole verification of one signed request."""
    now = now or datetime.now(timezone.utc)
    params = check_request(request, params, now=now, max_skew=max_skew, expected_host=expected_host)
    target = verify_signature(request, params, public_key)
    created = _created_of(params, request)
    return VerifiedSignature(params.key_id, params.algorithm, params.headers, created, target)


def _target_candidates(target: str) -> list[str]:
    path, sep, query = target.partition("?")
    path = path or "/"
    return [f"{path}?{query}", path] if sep and query else [path]


def _check_algorithm(params: SignatureParams) -> None:
    if params.algorithm not in ALGORITHMS:
        raise UnsupportedAlgorithm(f"unsupported signature algorithm {params.algorithm!r} (use rsa-sha256 or hs2019)")
    pseudo = {"(created)", "(expires)"} & set(params.headers)
    if pseudo and params.algorithm != "hs2019":
        raise MalformedSignature(f"{sorted(pseudo)[0]} may be signed only with algorithm hs2019")
    for name in sorted(pseudo):
        if (params.created if name == "(created)" else params.expires) is None:
            raise MalformedSignature(f"{name} is signed but the {name[1:-1]} parameter is missing")


def _check_strength(params: SignatureParams, request: SignedRequest) -> None:
    signed = set(params.headers)
    if not signed & {"date", "(created)"}:
        raise WeakSignature("the signature must cover the date header (or (created))", code="date_not_signed")
    if not signed & {"(request-target)", "digest"}:
        raise WeakSignature("the signature must cover (request-target)", code="request_target_not_signed")
    method = request.method.upper()
    if method not in _BODYLESS_METHODS and "digest" not in signed:
        raise WeakSignature(f"a signed {method} must cover the digest header", code="digest_not_signed")
    if method in _BODYLESS_METHODS and "host" not in signed:
        raise WeakSignature(f"a signed {method} must cover the host header", code="host_not_signed")


def _check_host(request: SignedRequest, expected_host: str | None) -> None:
    if expected_host is None:
        return
    host = request.lowered.get("host")
    if host is None:
        raise MissingHeader("the request has no Host header", code="missing_host_header")
    if host.lower() != expected_host.lower():
        raise HostMismatch(f"the request is for host {host!r}, not {expected_host!r}")


def _created_of(params: SignatureParams, request: SignedRequest) -> datetime:
    if "(created)" in params.headers and params.created is not None:
        return datetime.fromtimestamp(params.created, timezone.utc)
    raw = request.lowered.get("date")
    if raw is None:
        raise DateError("the Date header is missing", code="missing_date")
    created = parse_http_date(raw)
    if created is None:
        raise DateError(f"the Date header {raw[:64]!r} is not an HTTP date", code="invalid_date")
    return created


def _check_time(params: SignatureParams, request: SignedRequest, now: datetime, max_skew: timedelta) -> None:
    created = _created_of(params, request)
    if created > now + max_skew:
        raise DateError("the signature's date is in the future", code="date_in_future")
    if created < now - max_skew:
        raise DateError("the signature's date is too old", code="date_too_old")
    expires = params.expires if "(expires)" in params.headers else None
    if expires is not None and now > datetime.fromtimestamp(expires, timezone.utc) + EXPIRES_SLACK:
        raise DateError("the signature has expired", code="signature_expired")
