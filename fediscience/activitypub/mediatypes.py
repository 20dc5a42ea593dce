"""ActivityStreams media types and content negotiation helpers."""

from __future__ import annotations

AS_PROFILE = "https://www.w3.org/ns/activitystreams"
ACTIVITY_JSON = "application/activity+json"
LD_JSON_AS = f'application/ld+json; profile="{AS_PROFILE}"'
ACCEPT_ACTIVITY = f"{ACTIVITY_JSON}, {LD_JSON_AS}"
JRD_JSON = "application/jrd+json"
XRD_XML = "application/xrd+xml"


def _parse(value: str) -> tuple[str, dict[str, str]]:
    kind, *params = value.split(";")
    parsed = {}
    for param in params:
        name, _, raw = param.partition("=")
        parsed[name.strip().lower()] = raw.strip().strip('"')
    return kind.strip().lower(), parsed


def is_activity_media_type(value: str | None) -> bool:
    """True for `application/activity+json` or `application/ld+json` with the ActivityStreams profile."""
    if not value:
        return False
    kind, params = _parse(value)
    if kind == ACTIVITY_JSON:
        return True
    return kind == "application/ld+json" and AS_PROFILE in params.get("profile", "").split()


def wants_activity_json(accept: str | None) -> bool:
    """True if an Accept header asks for ActivityStreams JSON (any AS type listed with q > 0)."""
    for item in (accept or "").split(","):
        kind, params = _parse(item)
        if kind in (ACTIVITY_JSON, "application/ld+json") and params.get("q", "1") not in ("0", "0.0", "0.00", "0.000"):
            return True
    return False
