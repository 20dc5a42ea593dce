"""Asking a remote server's WebFinger who `user@host` is.

Scheme: always https, as Mastodon does, except when FEDISCIENCE_ALLOW_PRIVATE_ADDRESSES is on (tests and local
development): then a loopback host (127.0.0.0/8, ::1, localhost) is asked with the scheme of our own base URL, and
any other host with https first and plain http if https cannot connect at all (not on an HTTP error status).
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from flask import current_app

from ..activitypub import WebFingerError
from ..activitypub.webfinger import Acct, RemoteJrd, read_jrd, webfinger_url
from .client import JRD_ACCEPT, get_json
from .fetch_errors import BlockedAddress, BlockedDomain, FetchError, GoneError, InvalidDocument


def webfinger(acct: Acct) -> RemoteJrd:
    """The remote JRD of an account (its `self` link is the actor id); FetchError if there is none."""
    schemes = schemes_for(acct.host)
    for index, scheme in enumerate(schemes):
        try:
            doc = get_json(webfinger_url(acct, scheme), accept=JRD_ACCEPT)
        except GoneError as exc:
            if exc.status == 410:
                raise GoneError(f"the account {acct} is gone", url=exc.url, status=410) from None
            raise FetchError(f"{acct.host} knows no account {acct}", url=exc.url, status=exc.status) from None
        except (BlockedAddress, BlockedDomain):
            raise
        except FetchError as exc:
            if exc.status is not None or index == len(schemes) - 1:
                raise FetchError(f"WebFinger for {acct} failed: {exc}", url=exc.url, status=exc.status) from None
            continue
        return _read(doc, acct)
    raise AssertionError("unreachable: schemes_for never returns an empty tuple")


def _read(doc: dict[str, object], acct: Acct) -> RemoteJrd:
    try:
        return read_jrd(doc)
    except WebFingerError as exc:
        raise InvalidDocument(f"the WebFinger answer for {acct} is unusable: {exc.reason}") from None


def schemes_for(host: str) -> tuple[str, ...]:
    """The schemes to try for WebFinger at `host` (see the module docstring)."""
    settings = current_app.extensions["fediscience.settings"]
    if not settings.allow_private_addresses:
        return ("https",)
    if _is_loopback(host):
        return (urlsplit(settings.base_url).scheme,)
    return ("https", "http")


def _is_loopback(host: str) -> bool:
    try:
        name = (urlsplit(f"//{host}").hostname or "").lower()
    except ValueError:
        return False
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False
