"""Fixtures of the protocol tests: the published draft-cavage key, fresh RSA-2048 keys, a fixed clock."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from fediscience.activitypub.keys import KeyPair, generate_key_pair, load_private_key, load_public_key

VECTORS = Path(__file__).resolve().parents[2].parent / "shared" / "vectors"
NOW = datetime(2025, 6, 1, 12, 0, 0, tzinfo=timezone.utc)


def vector_file(name: str) -> bytes:
    """A file of the published test vectors; fails (never skips) with a clear message if it is missing."""
    path = VECTORS / name
    if not path.is_file():
        pytest.fail(f"test vector {path} is missing: the shared vectors directory must sit beside the repository")
    return path.read_bytes()


@pytest.fixture(scope="session")
def cavage_private_key() -> rsa.RSAPrivateKey:
    """The draft-cavage Appendix C test private key (RSA-1024, PKCS#1 PEM)."""
    return load_private_key(vector_file("cavage-test-private.pem"), trusted=False)


@pytest.fixture(scope="session")
def cavage_public_key() -> rsa.RSAPublicKey:
    """The draft-cavage Appendix C test public key."""
    return load_public_key(vector_file("cavage-test-public.pem"))


@pytest.fixture(scope="session")
def key_pair() -> KeyPair:
    """One RSA-2048 key pair for the session (generation is slow)."""
    return generate_key_pair()


@pytest.fixture(scope="session")
def other_key_pair() -> KeyPair:
    """A second key pair, for wrong-key cases."""
    return generate_key_pair()


@pytest.fixture(scope="session")
def private_key(key_pair: KeyPair) -> rsa.RSAPrivateKey:
    """The loaded private key of `key_pair`."""
    return load_private_key(key_pair.private_pem)


@pytest.fixture(scope="session")
def public_key(key_pair: KeyPair) -> rsa.RSAPublicKey:
    """The loaded public key of `key_pair`."""
    return load_public_key(key_pair.public_pem)
