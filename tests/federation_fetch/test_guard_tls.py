"""TLS through the guard: we connect to the checked IP, but SNI and certificate verification use the host name."""

from __future__ import annotations

import datetime
import ipaddress
import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from fediscience.federation.guard import AddressPolicy, FetchError, fetch, guarded_client
from tests.federation_fetch.conftest import RemoteServer, Reply, _handler

LOOPBACK_ONLY = (ipaddress.ip_network("127.0.0.1/32"),)


def self_signed(name: str) -> tuple[bytes, bytes]:
    """A self-signed certificate for one DNS name, and its key (PEM)."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return cert.public_bytes(serialization.Encoding.PEM), key_pem


@dataclass
class TlsServer:
    """An https server on 127.0.0.1 with a certificate for fedi.test; records the SNI names it was asked for."""

    state: RemoteServer
    cert_pem: bytes
    server_names: list[str | None]


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TlsServer]:
    """The https server, for this module."""
    cert_pem, key_pem = self_signed("fedi.test")
    folder: Path = tmp_path_factory.mktemp("tls")
    (folder / "cert.pem").write_bytes(cert_pem)
    (folder / "key.pem").write_bytes(key_pem)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(folder / "cert.pem", folder / "key.pem")
    names: list[str | None] = []
    context.sni_callback = lambda sock, name, ctx: names.append(name)  # type: ignore[assignment, func-returns-value]
    state = RemoteServer()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    state.port = httpd.server_address[1]
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    state.serve("/ok", Reply(200, b"secure"))
    yield TlsServer(state, cert_pem, names)
    httpd.shutdown()
    httpd.server_close()


def _client(tls: TlsServer):  # type: ignore[no-untyped-def]
    policy = AddressPolicy(allowed_networks=LOOPBACK_ONLY, resolver=lambda host, port: ["127.0.0.1"])
    verify = ssl.create_default_context(cadata=tls.cert_pem.decode())
    return guarded_client(policy, user_agent="FediScience-test", verify=verify)


def test_sni_and_verification_use_the_host_name(tls_server: TlsServer) -> None:
    tls_server.server_names.clear()
    with _client(tls_server) as client:
        fetched = fetch(client, f"https://fedi.test:{tls_server.state.port}/ok")
    assert fetched.content == b"secure"
    assert tls_server.server_names == ["fedi.test"]
    assert tls_server.state.seen[-1].headers["Host"] == f"fedi.test:{tls_server.state.port}"


def test_a_certificate_for_another_name_is_refused(tls_server: TlsServer) -> None:
    before = len(tls_server.state.seen)
    with _client(tls_server) as client, pytest.raises(FetchError, match="cannot reach"):
        fetch(client, f"https://other.test:{tls_server.state.port}/ok")
    assert len(tls_server.state.seen) == before
