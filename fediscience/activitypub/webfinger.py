"""WebFinger (RFC 7033) as Mastodon uses it: `acct:` resources, our JRD, reading a remote JRD, host-meta."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote
from xml.sax.saxutils import quoteattr

from .errors import WebFingerError
from .mediatypes import ACTIVITY_JSON, is_activity_media_type
from .structure import is_http_url

PROFILE_PAGE_REL = "http://webfinger.net/rel/profile-page"
SUBSCRIBE_REL = "http://ostatus.org/schema/1.0/subscribe"
XRD_NAMESPACE = "http://docs.oasis-open.org/ns/xri/xrd-1.0"
MAX_RESOURCE_LENGTH = 512
# Mastodon's username rule for remote accounts (app/models/account.rb); admits instance actors named like a domain.
USERNAME_RE = re.compile(r"[a-z0-9_]+(?:[.-]+[a-z0-9_]+)*", re.IGNORECASE)
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_HOSTNAME_RE = re.compile(rf"(?=.{{1,253}}$){_LABEL}(?:\.{_LABEL})*")
_IPV6_RE = re.compile(r"\[[0-9a-f:.]+\]")


@dataclass(frozen=True)
class Acct:
    """A fediverse account address: `user@host` (host lower-cased, may carry a port)."""

    user: str
    host: str

    def __str__(self) -> str:
        return f"{self.user}@{self.host}"

    @property
    def uri(self) -> str:
        """The `acct:user@host` URI."""
        return f"acct:{self}"


def parse_acct(value: str) -> Acct:
    """Read `acct:user@host`, `user@host` or `@user@host` (case-insensitive scheme; port allowed)."""
    text = (value or "").strip()
    if not text or len(text) > MAX_RESOURCE_LENGTH:
        raise WebFingerError("the account address is empty or too long", code="bad_resource")
    if text[:5].lower() == "acct:":
        text = text[5:]
    text = text.removeprefix("@")
    user, sep, host = text.rpartition("@")
    if not sep or not user or not host:
        raise WebFingerError(f"{value[:100]!r} is not of the form user@host", code="bad_resource")
    if not USERNAME_RE.fullmatch(user):
        raise WebFingerError(f"{user[:64]!r} is not a valid username", code="bad_username")
    return Acct(user=user, host=normalize_host(host))


def normalize_host(host: str) -> str:
    """A host[:port] lower-cased, IDNs as punycode; WebFingerError if it is not a host name or address."""
    name, port = _split_port(host.strip().lower())
    if not _IPV6_RE.fullmatch(name):
        try:
            name = name.encode("idna").decode("ascii")
        except UnicodeError:
            raise WebFingerError(f"{host[:100]!r} is not a valid host", code="bad_host") from None
        if not _HOSTNAME_RE.fullmatch(name):
            raise WebFingerError(f"{host[:100]!r} is not a valid host", code="bad_host")
    return f"{name}:{port}" if port else name


def _split_port(host: str) -> tuple[str, str]:
    name, sep, port = host.rpartition(":")
    if not sep or name.endswith(":") or (name.startswith("[") and not name.endswith("]")) or not name:
        return host, ""
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise WebFingerError(f"{host[:100]!r} has an invalid port", code="bad_host")
    return name, str(int(port))


def parse_resource(value: str) -> Acct | str:
    """A WebFinger `resource`: an Acct, or an http(s) URL (of a profile or actor) returned as given."""
    text = (value or "").strip()
    if text.lower().startswith(("http://", "https://")):
        if not is_http_url(text):
            raise WebFingerError(f"{text[:100]!r} is not a valid URL", code="bad_resource")
        return text
    return parse_acct(text)


def webfinger_url(acct: Acct, scheme: str = "https") -> str:
    """The WebFinger query URL for an account: `<scheme>://host/.well-known/webfinger?resource=acct:…`."""
    return f"{scheme}://{acct.host}/.well-known/webfinger?resource={quote(acct.uri, safe=':@')}"


def build_jrd(
    acct: Acct,
    actor_url: str,
    *,
    profile_url: str | None = None,
    aliases: list[str] | None = None,
    subscribe_template: str | None = None,
) -> dict[str, Any]:
    """Our JRD for an actor: subject, aliases (profile, actor), links self (activity+json) and profile-page."""
    links: list[dict[str, str]] = [{"rel": "self", "type": ACTIVITY_JSON, "href": actor_url}]
    if profile_url is not None:
        links.append({"rel": PROFILE_PAGE_REL, "type": "text/html", "href": profile_url})
    if subscribe_template is not None:
        links.append({"rel": SUBSCRIBE_REL, "template": subscribe_template})
    if aliases is None:
        aliases = [url for url in (profile_url, actor_url) if url is not None]
    return {"subject": acct.uri, "aliases": aliases, "links": links}


@dataclass(frozen=True)
class RemoteJrd:
    """What federation uses from a remote JRD: the subject and the actor URL of the `self` link."""

    subject: Acct | None
    actor_url: str
    aliases: tuple[str, ...]


def read_jrd(doc: Any) -> RemoteJrd:
    """Find the `self` link (activity+json, or ld+json with the AS profile) in a remote JRD, as Mastodon does."""
    if not isinstance(doc, dict):
        raise WebFingerError("the WebFinger answer is not a JSON object", code="bad_jrd")
    subject = doc.get("subject")
    if not isinstance(subject, str) or not subject.strip():
        raise WebFingerError("the WebFinger answer has no subject", code="bad_jrd")
    links = doc.get("links")
    for link in links if isinstance(links, list) else []:
        if _is_actor_link(link):
            return RemoteJrd(_subject_acct(subject), link["href"], _aliases(doc))
    raise WebFingerError("the WebFinger answer has no ActivityPub self link", code="no_self_link")


def _is_actor_link(link: Any) -> bool:
    return (
        isinstance(link, dict)
        and link.get("rel") == "self"
        and isinstance(link.get("type"), str)
        and is_activity_media_type(link["type"])
        and is_http_url(link.get("href"))
    )


def _subject_acct(subject: str) -> Acct | None:
    try:
        return parse_acct(subject) if subject.lower().startswith("acct:") else None
    except WebFingerError:
        return None


def _aliases(doc: dict[str, Any]) -> tuple[str, ...]:
    aliases = doc.get("aliases")
    return tuple(alias for alias in aliases if isinstance(alias, str)) if isinstance(aliases, list) else ()


def host_meta_xml(base_url: str) -> str:
    """The host-meta XRD (with its namespace, as Mastodon requires) pointing `lrdd` at our WebFinger."""
    template = f"{base_url.rstrip('/')}/.well-known/webfinger?resource={{uri}}"
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<XRD xmlns="{XRD_NAMESPACE}">\n'
        f'  <Link rel="lrdd" template={quoteattr(template)}/>\n'
        "</XRD>\n"
    )
