"""The outbound fetch guard against a real server on 127.0.0.1: schemes, private addresses, redirects, size, time."""

from __future__ import annotations

import gzip
import ipaddress
import time
from collections.abc import Iterator

import httpx
import pytest

from fediscience.federation.guard import (
    MAX_BODY_BYTES,
    AddressPolicy,
    BlockedAddress,
    FetchError,
    FetchTimeout,
    ResponseTooLarge,
    TooManyRedirects,
    check_url,
    fetch,
    guarded_client,
    is_public_address,
)
from tests.federation_fetch.conftest import RemoteServer, Reply

LOOPBACK_ONLY = (ipaddress.ip_network("127.0.0.1/32"),)


def client_for(policy: AddressPolicy, **options: object) -> httpx.Client:
    """A guarded client with this policy."""
    return guarded_client(policy, user_agent="FediScience-test", **options)  # type: ignore[arg-type]


@pytest.fixture
def strict() -> Iterator[httpx.Client]:
    """A client that may reach no private address at all (production policy)."""
    with client_for(AddressPolicy(allow_private=False)) as client:
        yield client


@pytest.fixture
def loopback_only() -> Iterator[httpx.Client]:
    """A client that may reach 127.0.0.1 (the test server) but no other private address."""
    with client_for(AddressPolicy(allowed_networks=LOOPBACK_ONLY)) as client:
        yield client


@pytest.fixture
def permissive() -> Iterator[httpx.Client]:
    """A client with FEDISCIENCE_ALLOW_PRIVATE_ADDRESSES on."""
    with client_for(AddressPolicy(allow_private=True)) as client:
        yield client


@pytest.mark.parametrize(
    "address",
    ["127.0.0.1", "10.1.2.3", "172.16.5.4", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0",
     "224.0.0.1", "240.0.0.1", "255.255.255.255", "::1", "::", "fe80::1", "fc00::1", "fd00:ec2::254",
     "::ffff:127.0.0.1", "::ffff:169.254.169.254", "::ffff:10.0.0.1", "64:ff9b::a00:1", "2002:a00:1::1",
     "ff02::1", "2001:db8::1", "192.0.2.1"],
)
def test_special_addresses_are_not_public(address: str) -> None:
    assert not is_public_address(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["8.8.8.8", "1.1.1.1", "2001:4860:4860::8888", "::ffff:8.8.8.8"])
def test_public_addresses_are_public(address: str) -> None:
    assert is_public_address(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    "url",
    ["file:///etc/passwd", "ftp://example.org/x", "gopher://example.org/", "javascript:alert(1)", "http://",
     "http://exa mple.org/", "http://example.org:99999/", "http://127.0.0.1/", "http://[::1]/",
     "http://10.0.0.1/", "http://192.168.0.1/", "http://169.254.169.254/latest/meta-data/",
     "http://[::ffff:169.254.169.254]/", "http://[fd00:ec2::254]/", "http://0.0.0.0/"],
)
def test_check_url_refuses(url: str) -> None:
    with pytest.raises(BlockedAddress):
        check_url(url, allow_private=False)


def test_check_url_allows_public_and_names() -> None:
    check_url("https://mastodon.example/users/alice", allow_private=False)
    check_url("http://8.8.8.8/", allow_private=False)
    check_url("http://127.0.0.1:5001/actor", allow_private=True)
    with pytest.raises(BlockedAddress):
        check_url("file:///etc/passwd", allow_private=True)


@pytest.mark.parametrize(
    "host", ["127.0.0.1", "localhost", "[::ffff:127.0.0.1]", "2130706433", "0x7f.1", "127.1", "[::1]"]
)
def test_private_hosts_are_refused_before_any_request(strict: httpx.Client, remote: RemoteServer, host: str) -> None:
    remote.serve("/ok", Reply(200, b"hello"))
    with pytest.raises(BlockedAddress):
        fetch(strict, f"http://{host}:{remote.port}/ok")
    assert remote.seen == []


def test_private_hosts_are_allowed_when_configured(permissive: httpx.Client, remote: RemoteServer) -> None:
    remote.serve("/ok", Reply(200, b"hello"))
    for host in ("127.0.0.1", "localhost"):
        fetched = fetch(permissive, f"http://{host}:{remote.port}/ok")
        assert (fetched.status_code, fetched.content) == (200, b"hello")
    assert remote.hits("/ok") == 2
    assert remote.seen[0].headers["User-Agent"] == "FediScience-test"


@pytest.mark.parametrize(
    "target",
    ["http://169.254.169.254/latest/meta-data/", "http://10.0.0.1:{port}/x", "http://192.168.1.1/",
     "http://[::1]:{port}/x", "http://[::ffff:169.254.169.254]/", "http://[::ffff:10.0.0.1]:{port}/x",
     "file:///etc/passwd", "ftp://127.0.0.1:{port}/x"],
)
def test_a_redirect_to_a_private_address_is_refused(
    loopback_only: httpx.Client, remote: RemoteServer, target: str
) -> None:
    remote.serve("/hop", Reply(302, headers={"Location": target.format(port=remote.port)}))
    with pytest.raises(BlockedAddress):
        fetch(loopback_only, remote.url("/hop"))
    assert [seen.path for seen in remote.seen] == ["/hop"]


def test_redirects_are_followed_by_hand_up_to_three(loopback_only: httpx.Client, remote: RemoteServer) -> None:
    remote.serve("/r1", Reply(301, headers={"Location": remote.url("/r2")}))
    remote.serve("/r2", Reply(302, headers={"Location": "/r3"}))  # relative
    remote.serve("/r3", Reply(307, headers={"Location": "final"}))  # relative to /r3
    remote.serve("/final", Reply(200, b"done"))
    fetched = fetch(loopback_only, remote.url("/r1"))
    assert (fetched.url, fetched.content) == (remote.url("/final"), b"done")
    remote.serve("/r0", Reply(308, headers={"Location": remote.url("/r1")}))
    with pytest.raises(TooManyRedirects):
        fetch(loopback_only, remote.url("/r0"))


def test_check_hop_sees_every_hop(loopback_only: httpx.Client, remote: RemoteServer) -> None:
    remote.serve("/a", Reply(302, headers={"Location": "/b"}))
    remote.serve("/b", Reply(200, b"b"))
    hops: list[str] = []
    fetch(loopback_only, remote.url("/a"), check_hop=hops.append)
    assert hops == [remote.url("/a"), remote.url("/b")]


def test_redirect_without_location_is_an_error(loopback_only: httpx.Client, remote: RemoteServer) -> None:
    remote.serve("/nowhere", Reply(302))
    with pytest.raises(FetchError, match="without a Location"):
        fetch(loopback_only, remote.url("/nowhere"))


def test_bodies_are_capped_at_one_megabyte(loopback_only: httpx.Client, remote: RemoteServer) -> None:
    remote.serve("/exact", Reply(200, b"x" * MAX_BODY_BYTES))
    remote.serve("/big", Reply(200, b"x" * (MAX_BODY_BYTES + 1)))
    remote.serve("/big-unannounced", Reply(200, b"y" * (MAX_BODY_BYTES + 1),
                                           {"Content-Length": None, "Connection": "close"}))
    bomb = gzip.compress(b"\0" * (3 * MAX_BODY_BYTES))
    remote.serve("/bomb", Reply(200, bomb, {"Content-Encoding": "gzip"}))
    assert len(fetch(loopback_only, remote.url("/exact")).content) == MAX_BODY_BYTES
    for path in ("/big", "/big-unannounced", "/bomb"):
        with pytest.raises(ResponseTooLarge):
            fetch(loopback_only, remote.url(path))
    assert len(bomb) < 10_000


def test_the_total_deadline_cuts_a_trickling_answer(loopback_only: httpx.Client, remote: RemoteServer) -> None:
    remote.serve("/slow", Reply(200, b"z" * 200, trickle=0.02))  # 4 s in all, each byte well within 10 s
    started = time.monotonic()
    with pytest.raises(FetchTimeout):
        fetch(loopback_only, remote.url("/slow"), total=0.8)
    assert time.monotonic() - started < 2.0


def test_the_total_deadline_cuts_a_silent_server(loopback_only: httpx.Client, remote: RemoteServer) -> None:
    remote.serve("/silent", Reply(200, b"late", delay=3.0))
    started = time.monotonic()
    with pytest.raises(FetchTimeout):
        fetch(loopback_only, remote.url("/silent"), total=0.5)
    assert time.monotonic() - started < 1.5


def test_the_checked_address_is_the_one_connected_and_the_host_name_is_kept(remote: RemoteServer) -> None:
    calls: list[str] = []

    def resolver(host: str, port: int) -> list[str]:
        calls.append(host)
        return ["127.0.0.1"]

    remote.serve("/ok", Reply(200, b"ok"))
    with client_for(AddressPolicy(allowed_networks=LOOPBACK_ONLY, resolver=resolver)) as client:
        assert fetch(client, f"http://fedi.test:{remote.port}/ok").content == b"ok"
    assert calls == ["fedi.test"]
    assert remote.seen[0].headers["Host"] == f"fedi.test:{remote.port}"


def test_a_mixed_dns_answer_is_refused(remote: RemoteServer) -> None:
    policy = AddressPolicy(allowed_networks=LOOPBACK_ONLY, resolver=lambda host, port: ["127.0.0.1", "10.0.0.1"])
    remote.serve("/ok", Reply(200, b"ok"))
    with client_for(policy) as client, pytest.raises(BlockedAddress, match="10.0.0.1"):
        fetch(client, f"http://fedi.test:{remote.port}/ok")
    assert remote.seen == []


def test_dns_rebinding_is_caught_on_the_next_connection(remote: RemoteServer) -> None:
    answers = iter([["127.0.0.1"], ["10.0.0.1"]])
    policy = AddressPolicy(allowed_networks=LOOPBACK_ONLY, resolver=lambda host, port: next(answers))
    remote.serve("/ok", Reply(200, b"ok", {"Connection": "close"}))  # the next request needs a new connection
    with client_for(policy) as client:
        assert fetch(client, f"http://rebind.test:{remote.port}/ok").content == b"ok"
        with pytest.raises(BlockedAddress):
            fetch(client, f"http://rebind.test:{remote.port}/ok")
    assert remote.hits("/ok") == 1


def test_an_unresolvable_host_is_a_fetch_error(strict: httpx.Client) -> None:
    with pytest.raises(FetchError, match="cannot resolve"):
        fetch(strict, "http://does-not-exist.invalid/")


def test_no_proxy_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, loopback_only: httpx.Client, remote: RemoteServer
) -> None:
    monkeypatch.setenv("HTTP_PROXY", "http://10.0.0.1:3128")
    monkeypatch.setenv("ALL_PROXY", "http://10.0.0.1:3128")
    remote.serve("/ok", Reply(200, b"direct"))
    with client_for(AddressPolicy(allowed_networks=LOOPBACK_ONLY)) as client:
        assert fetch(client, remote.url("/ok")).content == b"direct"
