"""Domain blocks: a blocked host's requests get 403 and nothing is stored (subdomains included).

The inbox reads blocks from a cache; a change committed here reaches this process at once, others within
`inbox_cache.BLOCKS_TTL` seconds.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from sqlalchemy import select

from ..db import db
from ..errors import Invalid
from .inbox_cache import note_blocks_changed
from .models import RemoteHost

_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def normalize_domain(text: str) -> str:
    """A host name (with an optional port) from a domain, a handle's domain or a URL; Invalid otherwise."""
    raw = text.strip().lower()
    if "://" in raw:
        raw = urlsplit(raw).netloc
    raw = raw.rstrip(".").rpartition("@")[2]
    name, _, port = raw.partition(":")
    try:
        name = name.encode("idna").decode("ascii") if name else ""
    except UnicodeError:
        raise Invalid(f"{text!r} is not a domain name.", field="domain") from None
    if not name or len(name) > 253 or not all(_LABEL.match(label) for label in name.split(".")):
        raise Invalid(f"{text!r} is not a domain name.", field="domain")
    if port and not (port.isdigit() and 0 < int(port) < 65536):
        raise Invalid(f"{text!r} has an invalid port.", field="domain")
    return f"{name}:{port}" if port else name


def block_domain(domain: str, reason: str | None = None) -> RemoteHost:
    """Block a domain (and its subdomains): its inbox requests are refused with 403."""
    host = _host_row(normalize_domain(domain))
    host.blocked, host.block_reason = True, (reason or None)
    db.session.flush()
    note_blocks_changed(db.session())
    return host


def unblock_domain(domain: str) -> bool:
    """Lift a block; False if the domain was not blocked."""
    host = db.session.get(RemoteHost, normalize_domain(domain))
    if host is None or not host.blocked:
        return False
    host.blocked, host.block_reason = False, None
    db.session.flush()
    note_blocks_changed(db.session())
    return True


def blocked_domains() -> list[RemoteHost]:
    """Every blocked domain, alphabetically."""
    return list(db.session.scalars(select(RemoteHost).where(RemoteHost.blocked).order_by(RemoteHost.host)))


def _host_row(host: str) -> RemoteHost:
    row = db.session.get(RemoteHost, host)
    if row is None:
        row = RemoteHost(host=host)
        db.session.add(row)
    return row
