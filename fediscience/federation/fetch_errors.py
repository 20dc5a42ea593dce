"""The errors of outbound fetches (guard, client, remote actors); `client` and `guard` re-export them."""

from __future__ import annotations


class FetchError(Exception):
    """A remote fetch failed; the message says what was fetched and why (fit to show a user or log)."""

    def __init__(self, message: str, *, url: str | None = None, status: int | None = None) -> None:
        super().__init__(message)
        self.message, self.url, self.status = message, url, status


class GoneError(FetchError):
    """The remote object is gone: the server answered 404 or 410."""


class BlockedAddress(FetchError):
    """The URL is not fetched: not http(s), or its host is (or resolves to) a private or special address."""


class BlockedDomain(FetchError):
    """The URL's domain (or a parent domain) is blocked on this instance: it is never fetched."""


class ResponseTooLarge(FetchError):
    """The response body is larger than the cap (1 MB)."""


class TooManyRedirects(FetchError):
    """The fetch was redirected more times than allowed (3)."""


class FetchTimeout(FetchError):
    """A connect or read timeout, or the total deadline of the fetch, passed."""


class InvalidDocument(FetchError):
    """The answer is not what was asked for: wrong content type, not JSON, wrong `id`, not an actor …"""
