"""Draft-cavage HTTP signatures as Mastodon 4.2–4.4 sends and checks them.

Written from Mastodon's source (app/lib/signed_request.rb `HttpSignature` and `matches_time_window?`,
app/lib/request.rb, app/lib/http_signature_draft.rb; see /work/shared/reference/mastodon-interop.md §3) and
independently of `fediscience.activitypub`, so that the peer checks our signatures instead of agreeing with them.
The error messages are Mastodon's.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.utils import formatdate
from urllib.parse import urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

REQUEST_TARGET = "(request-target)"
# Mastodon 4.2 signs in this order; 4.3+/4.4 sign every header but User-Agent and Accept-Encoding, request-target last.
POST_HEADERS_42 = ("(request-target)", "host", "date", "digest", "content-type")
POST_HEADERS_44 = ("host", "date", "digest", "content-type", "(request-target)")
GET_HEADERS_42 = ("(request-target)", "host", "date", "accept")
GET_HEADERS_44 = ("host", "date", "accept", "(request-target)")
EXPIRATION_WINDOW_LIMIT = timedelta(hours=12)
CLOCK_SKEW_MARGIN = timedelta(hours=1)
DEFAULT_EXPIRY = timedelta(minutes=5)
_PARAM = re.compile(r'\s*([A-Za-z]+)\s*=\s*"([^"]*)"\s*(?:,|$)')
_MONTHS = "Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec"
# The three forms Ruby's Time.httpdate accepts: IMF-fixdate, RFC 850 and asctime.
_HTTP_DATES = (
    (re.compile(rf"^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d\d) ({_MONTHS}) (\d{{4}}) (\d\d):(\d\d):(\d\d) GMT$", re.I),
     "%d %b %Y %H:%M:%S"),
    (re.compile(rf"^(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), (\d\d)-({_MONTHS})-(\d\d) "
                r"(\d\d):(\d\d):(\d\d) GMT$", re.I), "%d %b %y %H:%M:%S"),
    (re.compile(rf"^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) ({_MONTHS}) ([ \d]\d) (\d\d):(\d\d):(\d\d) (\d{{4}})$", re.I),
     None),
)


class SignatureError(Exception):
    """Mastodon refuses the request's signature (its message is Mastodon's)."""


@dataclass(frozen=True)
class HttpRequest:
    """A received request as the verifier sees it: method, path with query, headers (any case), raw body."""

    method: str
    target: str
    headers: Mapping[str, str]
    body: bytes = b""

    def header(self, name: str) -> str | None:
        """A header's value, looked up case-insensitively."""
        wanted = name.lower()
        return next((value for key, value in self.headers.items() if key.lower() == wanted), None)


@dataclass(frozen=True)
class SignatureParams:
    """The parsed `Signature` header."""

    values: dict[str, str] = field(default_factory=dict)

    @property
    def key_id(self) -> str:
        """The keyId parameter."""
        return self.values.get("keyId", "")

    @property
    def algorithm(self) -> str:
        """The algorithm, `hs2019` when absent (as Mastodon assumes)."""
        return self.values.get("algorithm", "hs2019")

    @property
    def signed_headers(self) -> list[str]:
        """The signed header names, lower-cased, defaulting as Mastodon does."""
        default = "(created)" if self.algorithm == "hs2019" else "date"
        return self.values.get("headers", default).lower().split()


# Signing (what Mastodon sends) --------------------------------------------------------------------------------


def http_date(now: datetime | None = None) -> str:
    """`Date` as Mastodon writes it (`Time.now.utc.httpdate`): IMF-fixdate in GMT."""
    moment = now or datetime.now(timezone.utc)
    return formatdate(moment.timestamp(), usegmt=True)


def body_digest(body: bytes) -> str:
    """`SHA-256=<base64>` of the raw body."""
    return "SHA-256=" + base64.b64encode(hashlib.sha256(body).digest()).decode()


def target_of(url: str) -> str:
    """The path and query of a URL, as `(request-target)` carries them."""
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def signing_string(method: str, target: str, headers: Mapping[str, str], names: Sequence[str]) -> str:
    """The `name: value` lines, in the order of `names`."""
    lookup = {key.lower(): value for key, value in headers.items()}
    lines = []
    for name in names:
        if name == REQUEST_TARGET:
            lines.append(f"{REQUEST_TARGET}: {method.lower()} {target}")
        else:
            lines.append(f"{name}: {lookup.get(name, '')}")
    return "\n".join(lines)


def sign_request(method: str, url: str, *, key_id: str, private_key: rsa.RSAPrivateKey,
                 headers: Mapping[str, str] | None = None, body: bytes | None = None,
                 order: Sequence[str] | None = None, now: datetime | None = None) -> dict[str, str]:
    """The headers of a request signed as Mastodon signs it: Host, Date (+ Digest on POST), rsa-sha256."""
    out = {"Host": urlsplit(url).netloc, "Date": http_date(now), **(headers or {})}
    if body is not None:
        out["Digest"] = body_digest(body)
    names = order or [n for n in (POST_HEADERS_42 if body is not None else GET_HEADERS_42)
                      if n == REQUEST_TARGET or n in {k.lower() for k in out}]
    text = signing_string(method, target_of(url), out, names)
    signature = private_key.sign(text.encode(), padding.PKCS1v15(), hashes.SHA256())
    out["Signature"] = (f'keyId="{key_id}",algorithm="rsa-sha256",headers="{" ".join(names)}",'
                        f'signature="{base64.b64encode(signature).decode()}"')
    return out


# Verifying (what Mastodon requires) -----------------------------------------------------------------------------


def parse_signature(value: str) -> SignatureParams:
    """The parameters of a `Signature` header; SignatureError when it does not parse."""
    values: dict[str, str] = {}
    position = 0
    text = value.strip()
    while position < len(text):
        match = _PARAM.match(text, position)
        if match is None:
            raise SignatureError("Error parsing signature parameters")
        values[match.group(1)] = match.group(2)
        position = match.end()
    return SignatureParams(values)


def check_request(request: HttpRequest, now: datetime | None = None) -> SignatureParams:
    """Everything Mastodon checks before the RSA verification (SignedRequest#verified?): parameters, algorithm,
    time window, signature strength, body digest. Returns the parameters; SignatureError otherwise."""
    raw = request.header("Signature")
    if not raw:
        raise SignatureError("Request not signed")
    params = parse_signature(raw)
    if not params.values.get("keyId") or not params.values.get("signature"):
        raise SignatureError("Incompatible request signature. keyId and signature are required")
    if params.algorithm not in ("rsa-sha256", "hs2019"):
        raise SignatureError("Unsupported signature algorithm (only rsa-sha256 and hs2019 are supported)")
    if not _matches_time_window(request, params, now or datetime.now(timezone.utc)):
        raise SignatureError("Signed request date outside acceptable time window")
    _verify_signature_strength(request, params)
    _verify_body_digest(request, params)
    return params


def verify(request: HttpRequest, params: SignatureParams, public_key: rsa.RSAPublicKey) -> bool:
    """The RSA check, with the query string in `(request-target)`, then without (Mastodon 4.2.4+)."""
    try:
        signature = base64.b64decode(params.values["signature"])
    except ValueError:
        return False
    path = request.target.split("?", 1)[0]
    for target in dict.fromkeys((request.target, path)):
        text = _received_signing_string(request, params, target)
        try:
            public_key.verify(signature, text.encode(), padding.PKCS1v15(), hashes.SHA256())
            return True
        except InvalidSignature:
            continue
    return False


def parse_http_date(value: str) -> datetime:
    """A `Date` header as Ruby's `Time.httpdate` reads it; SignatureError("Invalid Date header") otherwise."""
    text = value.strip()
    for pattern, layout in _HTTP_DATES:
        match = pattern.match(text)
        if match is None:
            continue
        if layout is None:  # asctime: "Sun Nov  6 08:49:37 1994"
            month, day, hh, mm, ss, year = match.groups()
            moment = datetime.strptime(f"{int(day):02d} {month} {year} {hh}:{mm}:{ss}", "%d %b %Y %H:%M:%S")
        else:
            moment = datetime.strptime(" ".join(match.groups()[:3]) + " " + ":".join(match.groups()[3:]), layout)
        return moment.replace(tzinfo=timezone.utc)
    raise SignatureError(f"Invalid Date header: not RFC 2616 compliant date: {value!r}")


def _received_signing_string(request: HttpRequest, params: SignatureParams, target: str) -> str:
    lines = []
    for name in params.signed_headers:
        if name == REQUEST_TARGET:
            lines.append(f"{REQUEST_TARGET}: {request.method.lower()} {target}")
        elif name in ("(created)", "(expires)"):
            if params.algorithm != "hs2019":
                raise SignatureError(f"Invalid pseudo-header {name} for rsa-sha256")
            lines.append(f"{name}: {params.values.get(name.strip('()'), '')}")
        else:
            lines.append(f"{name}: {request.header(name) or ''}")
    return "\n".join(lines)


def _created_time(request: HttpRequest, params: SignatureParams) -> datetime | None:
    if params.algorithm == "hs2019" and params.values.get("created"):
        return datetime.fromtimestamp(int(params.values["created"]), timezone.utc)
    date = request.header("Date")
    return parse_http_date(date) if date else None


def _matches_time_window(request: HttpRequest, params: SignatureParams, now: datetime) -> bool:
    created = _created_time(request, params)
    expires = (datetime.fromtimestamp(int(params.values["expires"]), timezone.utc)
               if params.values.get("expires") else None)
    if created is not None:
        expires = min(expires or created + DEFAULT_EXPIRY, created + EXPIRATION_WINDOW_LIMIT)
    if created is not None and created > now + CLOCK_SKEW_MARGIN:
        return False
    return not (expires is not None and now > expires + CLOCK_SKEW_MARGIN)


def _verify_signature_strength(request: HttpRequest, params: SignatureParams) -> None:
    signed = params.signed_headers
    if "date" not in signed and "(created)" not in signed:
        raise SignatureError("Mastodon requires the Date header or (created) pseudo-header to be signed")
    if REQUEST_TARGET not in signed and "digest" not in signed:
        raise SignatureError("Mastodon requires the Digest header or (request-target) pseudo-header to be signed")
    if request.method.upper() == "GET" and "host" not in signed:
        raise SignatureError("Mastodon requires the Host header to be signed when doing a GET request")
    if request.method.upper() == "POST" and "digest" not in signed:
        raise SignatureError("Mastodon requires the Digest header to be signed when doing a POST request")


def _verify_body_digest(request: HttpRequest, params: SignatureParams) -> None:
    if "digest" not in params.signed_headers:
        return
    header = request.header("Digest")
    if header is None:
        raise SignatureError("Digest header missing")
    digests = [part.split("=", 1) for part in header.split(",")]
    offered = {pair[0].lower(): (pair[1] if len(pair) > 1 else "") for pair in digests}  # no strip, as Mastodon
    given = offered.get("sha-256")
    if given is None:
        raise SignatureError(f"Mastodon only supports SHA-256 in Digest header. Offered algorithms: "
                             f"{', '.join(offered)}")
    computed = base64.b64encode(hashlib.sha256(request.body).digest()).decode()
    if given == computed:
        return
    try:
        size = len(base64.b64decode(given.strip(), validate=True))
    except ValueError:
        raise SignatureError(f"Invalid Digest value. The provided Digest value is not a valid base64 string. "
                             f"Given digest: {given}") from None
    if size != 32:
        raise SignatureError(f"Invalid Digest value. The provided Digest value is not a SHA-256 digest. "
                             f"Given digest: {given}")
    raise SignatureError(f"Invalid Digest value. Computed SHA-256 digest: {computed}; given: {given}")
