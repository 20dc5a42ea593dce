"""The outbound fetch guard: only http(s), only public addresses, redirects by hand, 1 MB bodies, a deadline.

How DNS rebinding is kept out: the check lives in the httpcore network backend of the transport
(`GuardedBackend.connect_tcp`), which resolves the host once, refuses the connection if ANY resolved address is not
public, and then connects to exactly those checked addresses (IP literals, so no second lookup). The request URL keeps
the host name, so the Host header, the connection pool key, TLS SNI and certificate verification all use the name.
Redirects are never followed by httpx: `fetch` follows at most 3 by hand and every hop goes through the same checks
(and the caller's `check_hop`, e.g. domain blocks). Bodies are streamed and cut at 1 MB (decoded size, so a gzip bomb
is cut too). A total deadline (30 s) clamps every connect, read and write of the fetch on top of the 5 s connect and
10 s read timeouts. `AddressPolicy(allow_private=True)` (FEDISCIENCE_ALLOW_PRIVATE_ADDRESSES: tests and local
development only) lifts the address check; the scheme check stays.
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx

from .fetch_errors import (
    BlockedAddress,
    FetchError,
    FetchTimeout,
    ResponseTooLarge,
    TooManyRedirects,
)

__all__ = [
    "MAX_BODY_BYTES",
    "MAX_REDIRECTS",
    "TIMEOUT",
    "TOTAL_DEADLINE",
    "AddressPolicy",
    "BlockedAddress",
    "Fetched",
    "FetchError",
    "FetchTimeout",
    "GuardedBackend",
    "GuardedTransport",
    "ResponseTooLarge",
    "TooManyRedirects",
    "check_url",
    "deadline",
    "fetch",
    "guarded_client",
    "is_public_address",
]

MAX_BODY_BYTES = 1024 * 1024
MAX_REDIRECTS = 3
TOTAL_DEADLINE = 30.0
TIMEOUT = httpx.Timeout(connect=5.0, read=10.0, write=10.0, pool=5.0)
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
MAX_URL_LENGTH = 2048

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[[str, int], list[str]]

# Cloud metadata services; all are private or link-local already, listed so the intent is explicit.
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(text) for text in ("169.254.169.254", "fd00:ec2::254", "100.100.100.200", "169.254.170.2")
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


# Addresses ------------------------------------------------------------------------------------------------


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (mapped, NAT64, 6to4, Teredo), or None."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    return None


def is_public_address(address: IPAddress) -> bool:
    """True for a globally routable unicast address: not private, loopback, link-local, multicast, reserved,
    unspecified or a metadata service, also when wrapped in IPv6 (IPv4-mapped, NAT64, 6to4, Teredo)."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return is_public_address(address.ipv4_mapped)
        embedded = _embedded_ipv4(address)
        if (embedded is not None and not is_public_address(embedded)) or address.scope_id:
            return False
    special = (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or (isinstance(address, ipaddress.IPv6Address) and address.is_site_local)
    )
    return address.is_global and not special and address not in METADATA_ADDRESSES


def system_resolver(host: str, port: int) -> list[str]:
    """Every address `socket.getaddrinfo` gives for host:port (TCP), in its order, without duplicates."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError(f"cannot resolve the host {host!r}: {exc}") from None
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


@dataclass(frozen=True)
class AddressPolicy:
    """Which addresses outbound requests may reach. `allowed_networks` and `resolver` are test hooks: a test can
    allow 127.0.0.1 alone (so a redirect to another private address is refused) or map names to addresses."""

    allow_private: bool = False
    allowed_networks: tuple[IPNetwork, ...] = ()
    resolver: Resolver = field(default=system_resolver, compare=False)

    def permits(self, address: IPAddress) -> bool:
        """True if a connection to this address is allowed."""
        if self.allow_private or is_public_address(address):
            return True
        plain = address.ipv4_mapped if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped else address
        return any(plain in network for network in self.allowed_networks if plain.version == network.version)

    def check_address(self, address: IPAddress, host: str) -> None:
        """BlockedAddress unless the address is allowed."""
        if not self.permits(address):
            shown = host if host == str(address) else f"{host} ({address})"
            raise BlockedAddress(f"refusing to connect to {shown}: not a public address")

    def check_url(self, url: str) -> None:
        """BlockedAddress for a URL that is not http(s) with a host, or whose host is a disallowed IP literal."""
        host = _checked_host(url)
        literal = _ip_literal(host)
        if literal is not None:
            self.check_address(literal, host)

    def resolve(self, host: str, port: int) -> list[IPAddress]:
        """The host's addresses, each checked: BlockedAddress if any of them is not allowed (no mixed answers)."""
        literal = _ip_literal(host)
        found = [literal] if literal is not None else [_parse_ip(text, host) for text in self.resolver(host, port)]
        if not found:
            raise FetchError(f"the host {host!r} has no address")
        for address in found:
            self.check_address(address, host)
        return found


def _parse_ip(text: str, host: str) -> IPAddress:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        raise FetchError(f"the host {host!r} resolved to an unreadable address {text!r}") from None


def _ip_literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def _checked_host(url: str) -> str:
    if not isinstance(url, str) or not url or len(url) > MAX_URL_LENGTH or any(c.isspace() for c in url):
        raise BlockedAddress(f"not a fetchable URL: {str(url)[:100]!r}", url=str(url)[:MAX_URL_LENGTH])
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a malformed port
    except ValueError:
        raise BlockedAddress(f"not a valid URL: {url[:100]!r}", url=url) from None
    if parts.scheme.lower() not in ("http", "https"):
        raise BlockedAddress(f"only http and https URLs are fetched, not {url[:100]!r}", url=url)
    if not parts.hostname:
        raise BlockedAddress(f"the URL {url[:100]!r} has no host", url=url)
    return parts.hostname


def check_url(url: str, *, allow_private: bool) -> None:
    """BlockedAddress for a URL that is not http(s) or names a private/special IP (names are checked on connect)."""
    AddressPolicy(allow_private=allow_private).check_url(url)


# The deadline ---------------------------------------------------------------------------------------------

_DEADLINE: ContextVar[float | None] = ContextVar("fediscience_fetch_deadline", default=None)


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Within the block, every connect, read and write of a guarded client ends within `seconds` in total."""
    end = time.monotonic() + seconds
    current = _DEADLINE.get()
    token = _DEADLINE.set(end if current is None else min(current, end))
    try:
        yield
    finally:
        _DEADLINE.reset(token)


def _clamp(timeout: float | None, error: type[Exception]) -> float | None:
    end = _DEADLINE.get()
    if end is None:
        return timeout
    left = end - time.monotonic()
    if left <= 0:
        raise error("the total deadline of the request has passed")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    """A network stream whose reads and writes never outlast the current deadline."""

    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _clamp(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _clamp(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        tls = self._stream.start_tls(ssl_context, server_hostname, _clamp(timeout, httpcore.ConnectTimeout))
        return _DeadlineStream(tls)

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


# The transport --------------------------------------------------------------------------------------------


class GuardedBackend(httpcore.SyncBackend):
    """httpcore's sync backend, but a TCP connection goes only to checked addresses of the host."""

    def __init__(self, policy: AddressPolicy) -> None:
        self.policy = policy

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        addresses = self.policy.resolve(host, port)
        failure: Exception | None = None
        for address in addresses:
            try:
                stream = super().connect_tcp(
                    str(address), port, _clamp(timeout, httpcore.ConnectTimeout), local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
                continue
            return _DeadlineStream(stream)
        assert failure is not None
        raise failure

    def connect_unix_socket(self, path: str, timeout: float | None = None, socket_options: Any = None) -> Any:
        raise BlockedAddress("unix sockets are not fetched")


class GuardedTransport(httpx.HTTPTransport):
    """An httpx transport that checks every URL and connects only through a `GuardedBackend`; never a proxy."""

    def __init__(
        self,
        policy: AddressPolicy,
        *,
        verify: ssl.SSLContext | bool = True,
        limits: httpx.Limits | None = None,
    ) -> None:
        limits = limits or httpx.Limits(max_connections=100, max_keepalive_connections=20, keepalive_expiry=30)
        super().__init__(verify=verify, trust_env=False, limits=limits)
        self.policy = policy
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(verify=verify, trust_env=False),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=GuardedBackend(policy),
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.policy.check_url(str(request.url))
        return super().handle_request(request)


def guarded_client(
    policy: AddressPolicy,
    *,
    user_agent: str,
    verify: ssl.SSLContext | bool = True,
    limits: httpx.Limits | None = None,
    timeout: httpx.Timeout = TIMEOUT,
) -> httpx.Client:
    """A pooled httpx client behind the guard: no redirects followed by httpx, no proxies from the environment."""
    return httpx.Client(
        transport=GuardedTransport(policy, verify=verify, limits=limits),
        timeout=timeout,
        headers={"User-Agent": user_agent},
        follow_redirects=False,
        trust_env=False,
    )


# Fetching -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fetched:
    """A complete answer: the final URL (after redirects), status, headers and the body (at most the cap)."""

    url: str
    status_code: int
    headers: httpx.Headers
    content: bytes

    @property
    def content_type(self) -> str:
        """The Content-Type header ("" if none)."""
        return self.headers.get("content-type", "")


HeadersFor = Mapping[str, str] | Callable[[str], Mapping[str, str]]


def fetch(
    client: httpx.Client,
    url: str,
    *,
    method: str = "GET",
    headers: HeadersFor | None = None,
    content: bytes | None = None,
    follow_redirects: bool = True,
    max_redirects: int = MAX_REDIRECTS,
    max_bytes: int = MAX_BODY_BYTES,
    total: float = TOTAL_DEADLINE,
    check_hop: Callable[[str], None] | None = None,
) -> Fetched:
    """One request through a guarded client, redirects followed by hand (each hop checked, `headers` may be a
    function of the hop's URL, e.g. to sign it), the body capped, all within `total` seconds; FetchError otherwise."""
    with deadline(total):
        for _hop in range(max_redirects + 1):
            if check_hop is not None:
                check_hop(url)
            hop_headers = headers(url) if callable(headers) else headers
            fetched, location = _send(client, method, url, hop_headers, content, max_bytes, follow_redirects)
            if location is None:
                return fetched
            if fetched.status_code == 303 or (fetched.status_code in (301, 302) and method == "POST"):
                method, content = "GET", None
            url = location
    raise TooManyRedirects(f"more than {max_redirects} redirects, last to {url[:200]}", url=url)


def _send(
    client: httpx.Client,
    method: str,
    url: str,
    headers: Mapping[str, str] | None,
    content: bytes | None,
    max_bytes: int,
    follow_redirects: bool,
) -> tuple[Fetched, str | None]:
    try:
        request = client.build_request(method, url, headers=headers, content=content)
        response = client.send(request, stream=True)
    except httpx.TimeoutException:
        raise FetchTimeout(f"{_host(url)} did not answer in time", url=url) from None
    except httpx.HTTPError as exc:
        raise FetchError(f"cannot reach {_host(url)}: {exc or type(exc).__name__}", url=url) from None
    try:
        location = _redirect_target(response, url) if follow_redirects else None
        body = b"" if location is not None else _read_capped(response, url, max_bytes)
    finally:
        response.close()
    return Fetched(url, response.status_code, response.headers, body), location


def _redirect_target(response: httpx.Response, url: str) -> str | None:
    if response.status_code not in REDIRECT_STATUSES:
        return None
    location = response.headers.get("location")
    if not location:
        raise FetchError(f"{_host(url)} answered {response.status_code} without a Location", url=url)
    return urljoin(url, location.strip())


def _read_capped(response: httpx.Response, url: str, max_bytes: int) -> bytes:
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise ResponseTooLarge(f"the answer of {_host(url)} is larger than {max_bytes} bytes", url=url)
    chunks: list[bytes] = []
    size = 0
    try:
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > max_bytes:
                raise ResponseTooLarge(f"the answer of {_host(url)} is larger than {max_bytes} bytes", url=url)
            chunks.append(chunk)
    except httpx.TimeoutException:
        raise FetchTimeout(f"{_host(url)} did not send its answer in time", url=url) from None
    except httpx.HTTPError as exc:
        raise FetchError(f"reading the answer of {_host(url)} failed: {exc or type(exc).__name__}", url=url) from None
    return b"".join(chunks)


def _host(url: str) -> str:
    try:
        return urlsplit(url).netloc or url[:100]
    except ValueError:
        return url[:100]
