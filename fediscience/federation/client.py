"""Fetching remote ActivityPub documents: one pooled guarded client per process, GETs signed by the instance actor.

Every fetch goes through the guard (guard.py: public addresses only, redirects by hand, 1 MB, 30 s) and never
touches a blocked domain (RemoteHost.blocked, parent domains included), on any redirect hop. Test hooks on the app:
`app.extensions["fediscience.fetch_policy"]` (a guard.AddressPolicy) and `["fediscience.fetch_verify"]` (an
ssl.SSLContext), read when the client is first built.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping
from typing import Any

import httpx
from flask import Flask, current_app
from sqlalchemy import select

from .. import __version__
from ..activitypub import sign_request
from ..activitypub.mediatypes import ACCEPT_ACTIVITY, is_activity_media_type
from ..db import db
from .fetch_errors import (
    BlockedAddress,
    BlockedDomain,
    FetchError,
    FetchTimeout,
    GoneError,
    InvalidDocument,
    ResponseTooLarge,
    TooManyRedirects,
)
from .guard import AddressPolicy, Fetched, fetch, guarded_client
from .hosts import block_names, host_of
from .models import RemoteHost

__all__ = [
    "ACTIVITY_ACCEPT",
    "ACTIVITY_OR_HTML_ACCEPT",
    "JRD_ACCEPT",
    "BlockedAddress",
    "BlockedDomain",
    "FetchError",
    "FetchTimeout",
    "Fetched",
    "GoneError",
    "InvalidDocument",
    "ResponseTooLarge",
    "TooManyRedirects",
    "activity_json_of",
    "blocked_host",
    "fetch_policy",
    "get",
    "get_json",
    "http_client",
    "refuse_blocked",
    "signed_get",
    "signed_get_json",
    "user_agent",
]

ACTIVITY_ACCEPT = ACCEPT_ACTIVITY
ACTIVITY_OR_HTML_ACCEPT = f"{ACCEPT_ACTIVITY}, text/html;q=0.1"
JRD_ACCEPT = "application/jrd+json, application/json"
CLIENT_EXTENSION = "fediscience.federation.http_client"
POLICY_EXTENSION = "fediscience.fetch_policy"
VERIFY_EXTENSION = "fediscience.fetch_verify"
_client_lock = threading.Lock()


# The client -----------------------------------------------------------------------------------------------


def fetch_policy(app: Flask | None = None) -> AddressPolicy:
    """The app's address policy: the test hook if set, else private addresses only if the settings allow them."""
    app = app or current_app._get_current_object()
    policy = app.extensions.get(POLICY_EXTENSION)
    if policy is not None:
        return policy
    return AddressPolicy(allow_private=app.extensions["fediscience.settings"].allow_private_addresses)


def user_agent(app: Flask | None = None) -> str:
    """`FediScience/<version> (+<base_url>)`."""
    app = app or current_app._get_current_object()
    return f"FediScience/{__version__} (+{app.extensions['fediscience.settings'].base_url})"


def http_client() -> httpx.Client:
    """The app's pooled, guarded httpx client (built once per app and process; thread-safe)."""
    app = current_app._get_current_object()
    client = app.extensions.get(CLIENT_EXTENSION)
    if client is None:
        with _client_lock:
            client = app.extensions.get(CLIENT_EXTENSION)
            if client is None:
                verify = app.extensions.get(VERIFY_EXTENSION, True)
                client = guarded_client(fetch_policy(app), user_agent=user_agent(app), verify=verify)
                app.extensions[CLIENT_EXTENSION] = client
    return client


# Domain blocks --------------------------------------------------------------------------------------------


def _block_candidates(url: str) -> set[str]:
    """host:port, host, and each parent domain: every name a block may use for this URL."""
    try:
        return set(block_names(host_of(url)))
    except ValueError:  # a malformed netloc (bad brackets or port)
        return set()


def blocked_host(url: str) -> str | None:
    """The blocked domain that covers this URL's host, or None."""
    candidates = _block_candidates(url)
    if not candidates:
        return None
    query = select(RemoteHost.host).where(RemoteHost.host.in_(candidates), RemoteHost.blocked).limit(1)
    return db.session.scalar(query)


def refuse_blocked(url: str) -> None:
    """BlockedDomain if the URL's domain is blocked on this instance."""
    blocked = blocked_host(url)
    if blocked is not None:
        raise BlockedDomain(f"the domain {blocked} is blocked on this instance", url=url)


# Fetching -------------------------------------------------------------------------------------------------


def _signed_headers(accept: str) -> Callable[[str], Mapping[str, str]]:
    from .instance_actor import instance_actor
    from .keys import private_key_of

    actor = instance_actor()
    key, key_id = private_key_of(actor), actor.key_id
    assert key_id is not None

    def headers_for(url: str) -> Mapping[str, str]:
        return sign_request("GET", url, key_id=key_id, private_key=key, headers={"Accept": accept})

    return headers_for


def _require_success(fetched: Fetched) -> None:
    status = fetched.status_code
    if 200 <= status < 300:
        return
    where = fetched.url[:200]
    if status in (404, 410):
        raise GoneError(f"{where} is gone (HTTP {status})", url=fetched.url, status=status)
    if status in (401, 403):
        raise FetchError(f"{where} refused our request (HTTP {status})", url=fetched.url, status=status)
    raise FetchError(f"{where} answered HTTP {status}", url=fetched.url, status=status)


def get(url: str, *, accept: str, signed: bool = True) -> Fetched:
    """GET through the guard (signed by the instance actor unless signed=False); FetchError unless 2xx."""
    headers: Mapping[str, str] | Callable[[str], Mapping[str, str]]
    headers = _signed_headers(accept) if signed else {"Accept": accept}
    fetched = fetch(http_client(), url, headers=headers, check_hop=refuse_blocked)
    _require_success(fetched)
    return fetched


def signed_get(url: str, *, accept: str = ACTIVITY_ACCEPT) -> Fetched:
    """A signed GET (`(request-target) host date accept`, keyId `<base>/actor#main-key`) of any document."""
    return get(url, accept=accept, signed=True)


def _json_of(fetched: Fetched) -> dict[str, Any]:
    if not fetched.content.strip():
        raise InvalidDocument(f"{fetched.url[:200]} answered an empty body", url=fetched.url)
    try:
        doc = json.loads(fetched.content)
    except (ValueError, RecursionError):
        raise InvalidDocument(f"{fetched.url[:200]} did not answer valid JSON", url=fetched.url) from None
    if not isinstance(doc, dict):
        raise InvalidDocument(f"{fetched.url[:200]} did not answer a JSON object", url=fetched.url)
    return doc


def activity_json_of(fetched: Fetched) -> dict[str, Any]:
    """The ActivityStreams document of an answer: AS content type, a JSON object, `id` equal to the final URL."""
    if not is_activity_media_type(fetched.content_type):
        shown = fetched.content_type[:80] or "no content type"
        raise InvalidDocument(
            f"{fetched.url[:200]} answered {shown}, not ActivityStreams JSON", url=fetched.url
        )
    doc = _json_of(fetched)
    if doc.get("id") != fetched.url:
        raise InvalidDocument(
            f"the document at {fetched.url[:200]} has the id {str(doc.get('id'))[:200]!r}, not its URL",
            url=fetched.url,
        )
    return doc


def signed_get_json(url: str, *, accept: str = ACTIVITY_ACCEPT) -> dict[str, Any]:
    """Fetch an ActivityStreams document with a signed GET; its `id` must equal the (final) URL."""
    return activity_json_of(signed_get(url, accept=accept))


def get_json(url: str, *, accept: str = JRD_ACCEPT) -> dict[str, Any]:
    """An unsigned GET of a JSON object of any JSON content type (WebFinger, NodeInfo)."""
    return _json_of(get(url, accept=accept, signed=False))
