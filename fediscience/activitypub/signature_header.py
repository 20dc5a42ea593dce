"""The draft-cavage `Signature` header: tolerant parsing (also from `Authorization: Signature …`) and formatting."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from dataclasses import dataclass

from .errors import MalformedSignature, MissingSignature

MAX_HEADER_LENGTH = 8192
MAX_KEY_ID_LENGTH = 2048
DEFAULT_ALGORITHM = "hs2019"  # what draft-cavage-12 and Mastodon assume when `algorithm` is absent

# One `name=value` or `name="quoted \" value"` parameter, then a comma or the end.
_PARAM = re.compile(
    r'\s*([A-Za-z][A-Za-z0-9_-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,"]*))\s*(?:,|\Z)', re.DOTALL
)
_ESCAPE = re.compile(r"\\(.)", re.DOTALL)
_KNOWN = {"keyid", "algorithm", "headers", "signature", "created", "expires"}


@dataclass(frozen=True)
class SignatureParams:
    """The parameters of one Signature header, with the draft's defaults applied."""

    key_id: str
    algorithm: str  # lower-cased; `hs2019` when absent
    headers: tuple[str, ...]  # lower-cased names in signing order
    signature: bytes  # decoded
    created: int | None = None
    expires: int | None = None
    headers_given: bool = True  # False when `headers` was absent (the default list applies)


def read_signature(headers: Mapping[str, str]) -> SignatureParams:
    """The signature of a request, from `Signature` or else `Authorization: Signature …`."""
    lowered = {name.lower(): value for name, value in headers.items()}
    value = lowered.get("signature")
    if value is None:
        scheme, _, rest = (lowered.get("authorization") or "").strip().partition(" ")
        if scheme.lower() != "signature":
            raise MissingSignature("the request is not signed (no Signature header)")
        value = rest
    return parse_signature_header(value)


def parse_signature_header(value: str) -> SignatureParams:
    """Parse a Signature header value; parameters in any order, unknown ones ignored."""
    params = _split_params(value)
    key_id = params.get("keyid", "")
    if not key_id:
        raise MalformedSignature("Signature has no keyId")
    if len(key_id) > MAX_KEY_ID_LENGTH:
        raise MalformedSignature("Signature keyId is too long")
    algorithm = params.get("algorithm", DEFAULT_ALGORITHM).strip().lower() or DEFAULT_ALGORITHM
    created, expires = _integer(params, "created"), _integer(params, "expires")
    names = _signed_names(params.get("headers"), algorithm, created)
    return SignatureParams(
        key_id=key_id,
        algorithm=algorithm,
        headers=names,
        signature=_decode_signature(params.get("signature")),
        created=created,
        expires=expires,
        headers_given="headers" in params,
    )


def _split_params(value: str) -> dict[str, str]:
    text = value.strip()
    if not text:
        raise MalformedSignature("Signature header is empty")
    if len(text) > MAX_HEADER_LENGTH:
        raise MalformedSignature("Signature header is too long")
    params: dict[str, str] = {}
    pos = 0
    while pos < len(text):
        match = _PARAM.match(text, pos)
        if match is None or match.end() == pos:
            raise MalformedSignature(f"cannot parse the Signature header at position {pos}: {text[pos:pos + 20]!r}")
        name = match.group(1).lower()
        if name in params and name in _KNOWN:
            raise MalformedSignature(f"Signature parameter {match.group(1)} appears twice")
        quoted = match.group(2)
        params[name] = _ESCAPE.sub(r"\1", quoted) if quoted is not None else match.group(3)
        pos = match.end()
    return params


def _integer(params: dict[str, str], name: str) -> int | None:
    raw = params.get(name)
    if raw is None:
        return None
    if not re.fullmatch(r"\d{1,12}(\.\d{1,9})?", raw.strip()):
        raise MalformedSignature(f"Signature parameter {name} is not a Unix time")
    return int(float(raw))


def _signed_names(raw: str | None, algorithm: str, created: int | None) -> tuple[str, ...]:
    if raw is None:  # the draft's default; hs2019 signers that send `created` mean `(created)`
        return ("(created)",) if algorithm == "hs2019" and created is not None else ("date",)
    names = tuple(name.lower() for name in raw.split())
    if not names:
        raise MalformedSignature("Signature parameter headers is empty")
    return names


def _decode_signature(raw: str | None) -> bytes:
    if not raw:
        raise MalformedSignature("Signature has no signature value")
    try:
        decoded = base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError):
        raise MalformedSignature("Signature value is not valid base64") from None
    if not decoded:
        raise MalformedSignature("Signature value is empty")
    return decoded


def format_signature_header(
    key_id: str,
    signature: bytes,
    headers: tuple[str, ...] | list[str] | None,
    *,
    algorithm: str = "rsa-sha256",
    created: int | None = None,
    expires: int | None = None,
) -> str:
    """`keyId="…",algorithm="…",headers="…",signature="…"`; `headers=None` leaves the parameter out (meaning date)."""
    parts = [f'keyId="{_quote(key_id)}"', f'algorithm="{algorithm}"']
    if created is not None:
        parts.append(f"created={created}")
    if expires is not None:
        parts.append(f"expires={expires}")
    if headers is not None:
        parts.append(f'headers="{" ".join(headers)}"')
    parts.append(f'signature="{base64.b64encode(signature).decode("ascii")}"')
    return ",".join(parts)


def _quote(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')
