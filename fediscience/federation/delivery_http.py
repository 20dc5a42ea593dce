"""The sending half of delivery: sign on a small thread pool, POST through one pooled aiohttp session.

One `DeliveryEngine` lives per app in a process (the long-lived worker keeps it across jobs): an event loop on
its own thread owns an aiohttp session with a high global and a small per-host connection limit. The job thread
hands it a batch and waits; signing and sending overlap (each POST leaves as soon as its signature is ready).
aiohttp rather than httpx here: sequential httpx measured 2.9× the signing time on issue 4's fan-out benchmark.

Addresses are guarded by the same rule as every outbound request (`guard.is_public_address`): http(s) only,
and unless `allow_private_addresses` no loopback, private, link-local or metadata address, checked on the
resolved IPs the connection then uses (a resolver that filters them) and on IP literals in the URL.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import Flask

from .. import __version__
from ..activitypub import sign_request
from . import guard
from .delivery_policy import RETRY, Attempt, verdict

_BODY_LIMIT = 64 * 1024  # we only need the status; a bigger answer just costs the connection
_ENGINES_LOCK = threading.Lock()
_EXTENSION = "fediscience.delivery_engine"


class BlockedAddress(OSError):
    """The target resolves to an address we must not connect to."""


@dataclass(frozen=True)
class Post:
    """One POST to make: which delivery row it settles, where it goes."""

    delivery_id: int
    url: str
    host: str


@dataclass(frozen=True)
class Signer:
    """Who signs: the key id (`<actor>#main-key`) and the loaded private key."""

    key_id: str
    private_key: rsa.RSAPrivateKey


def is_public_address(address: str) -> bool:
    """True for a globally routable unicast address, by the outbound guard's rule (ValueError if not an IP)."""
    return guard.is_public_address(ipaddress.ip_address(address))


class GuardedResolver(AbstractResolver):
    """Resolves with aiohttp's default resolver, then keeps only public addresses (the ones connected to)."""

    def __init__(self) -> None:
        self._inner = aiohttp.DefaultResolver()

    async def resolve(self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET) -> list[ResolveResult]:
        """The public addresses of host; BlockedAddress if it has none."""
        results = [r for r in await self._inner.resolve(host, port, family) if is_public_address(r["host"])]
        if not results:
            raise BlockedAddress(f"{host} resolves only to addresses we do not deliver to")
        return results

    async def close(self) -> None:
        """Close the inner resolver."""
        await self._inner.close()


class DeliveryEngine:
    """An event loop thread with a pooled aiohttp session, and a signing thread pool."""

    def __init__(self, settings: Any) -> None:
        self._allow_private = bool(settings.allow_private_addresses)
        self._limits = (settings.delivery_max_connections, settings.delivery_per_host_connections)
        self._timeout = aiohttp.ClientTimeout(
            total=settings.delivery_total_timeout,
            sock_connect=settings.delivery_connect_timeout,
            sock_read=settings.delivery_read_timeout,
        )
        self._user_agent = f"FediScience/{__version__} (+{settings.base_url})"
        self._signing = ThreadPoolExecutor(settings.delivery_signing_threads, thread_name_prefix="fediscience-sign")
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="fediscience-delivery", daemon=True)
        self._thread.start()
        self._session: aiohttp.ClientSession = self._call(self._open())

    def _call(self, coroutine: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result()

    async def _open(self) -> aiohttp.ClientSession:
        max_connections, per_host = self._limits
        connector = aiohttp.TCPConnector(
            limit=max_connections,
            limit_per_host=per_host,
            resolver=None if self._allow_private else GuardedResolver(),
            ttl_dns_cache=300,
        )
        return aiohttp.ClientSession(
            connector=connector,
            timeout=self._timeout,
            cookie_jar=aiohttp.DummyCookieJar(),
            auto_decompress=False,
            headers={"User-Agent": self._user_agent},
        )

    def post_all(
        self, posts: Sequence[Post], body: bytes, signer: Signer, *, budgets: dict[str, int], deadline: float
    ) -> dict[int, Attempt | None]:
        """POST body to every target, signed; None for a post not made (host breaker tripped, deadline near).

        `budgets` holds, per host, how many more retryable failures it may have in this batch before its
        remaining posts are held back (the circuit breaker acting inside a batch).
        """
        return self._call(self._post_all(posts, body, signer, dict(budgets), deadline))

    async def _post_all(
        self, posts: Sequence[Post], body: bytes, signer: Signer, budgets: dict[str, int], deadline: float
    ) -> dict[int, Attempt | None]:
        results: dict[int, Attempt | None] = {}
        slots: dict[str, asyncio.Semaphore] = {}

        async def one(post: Post) -> None:
            # A host's posts take turns (per-host limit) so that its breaker can stop the ones not yet sent.
            slot = slots.setdefault(post.host, asyncio.Semaphore(self._limits[1]))
            async with slot:
                results[post.delivery_id] = await self._deliver(post, body, signer, budgets, deadline)

        await asyncio.gather(*(one(post) for post in posts))
        return results

    async def _deliver(
        self, post: Post, body: bytes, signer: Signer, budgets: dict[str, int], deadline: float
    ) -> Attempt | None:
        if budgets.get(post.host, 1) <= 0 or time.monotonic() > deadline:
            return None
        refused = self._refused(post.url)
        if refused is not None:
            return Attempt(None, refused, permanent=True)
        loop = asyncio.get_running_loop()
        headers = await loop.run_in_executor(self._signing, _sign, post.url, body, signer)
        if budgets.get(post.host, 1) <= 0:
            return None
        attempt = await self._post(post.url, headers, body)
        if verdict(attempt) == RETRY:
            budgets[post.host] = budgets.get(post.host, 1) - 1
        return attempt

    def _refused(self, url: str) -> str | None:
        """Why a URL may not be posted to (scheme, missing host, a literal private IP), or None."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return "not an http(s) URL"
        if self._allow_private:
            return None
        try:
            public = is_public_address(parts.hostname)
        except ValueError:
            return None  # a name: the resolver checks what it resolves to
        return None if public else f"{parts.hostname} is not a public address"

    async def _post(self, url: str, headers: dict[str, str], body: bytes) -> Attempt:
        try:
            async with self._session.post(url, data=body, headers=headers, allow_redirects=False) as response:
                await response.content.read(_BODY_LIMIT)
                ok = 200 <= response.status < 300
                error = None if ok else f"HTTP {response.status}"
                return Attempt(response.status, error, response.headers.get("Retry-After"))
        except asyncio.TimeoutError:
            return Attempt(None, "timed out")
        except aiohttp.ClientConnectorError as exc:
            blocked = isinstance(exc.os_error, BlockedAddress)
            return Attempt(None, str(exc.os_error) if blocked else f"cannot connect: {exc.os_error}", permanent=blocked)
        except (aiohttp.ClientError, OSError, ValueError) as exc:
            return Attempt(None, f"{type(exc).__name__}: {exc}"[:500])

    def close(self) -> None:
        """Close the session, stop the loop and the signing threads."""
        self._call(self._session.close())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
        self._loop.close()
        self._signing.shutdown(wait=False)


def _sign(url: str, body: bytes, signer: Signer) -> dict[str, str]:
    """The headers of one signed POST: `(request-target) host date digest content-type`."""
    return sign_request("POST", url, key_id=signer.key_id, private_key=signer.private_key, body=body)


def engine_for(app: Flask) -> DeliveryEngine:
    """The app's delivery engine, started on first use and kept for the life of the process."""
    engine = app.extensions.get(_EXTENSION)
    if engine is None:
        with _ENGINES_LOCK:
            engine = app.extensions.get(_EXTENSION)
            if engine is None:
                engine = app.extensions[_EXTENSION] = DeliveryEngine(app.extensions["fediscience.settings"])
    return engine


def close_engine(app: Flask) -> None:
    """Stop the app's delivery engine if it was started (tests; a worker shutting down)."""
    with _ENGINES_LOCK:
        engine = app.extensions.pop(_EXTENSION, None)
    if engine is not None:
        engine.close()
