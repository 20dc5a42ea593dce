"""RSA key pairs, cached loading, key ids."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from fediscience.activitypub.errors import InvalidKey
from fediscience.activitypub.keys import (
    KeyPair,
    actor_id_of_key,
    key_id_for,
    load_private_key,
    load_public_key,
    public_key_pem,
)

from .conftest import vector_file


def test_generated_pair_is_rsa_2048_pkcs8_and_spki(key_pair: KeyPair) -> None:
    assert key_pair.private_pem.startswith("-----BEGIN PRIVATE KEY-----\n")
    assert key_pair.public_pem.startswith("-----BEGIN PUBLIC KEY-----\n")
    key = load_private_key(key_pair.private_pem, trusted=False)
    assert key.key_size == 2048
    assert key.public_key().public_numbers().e == 65537
    assert public_key_pem(key) == key_pair.public_pem


def test_loading_is_cached_by_pem(key_pair: KeyPair) -> None:
    assert load_private_key(key_pair.private_pem) is load_private_key(key_pair.private_pem.encode())
    assert load_public_key(key_pair.public_pem) is load_public_key(key_pair.public_pem)
    assert load_public_key(key_pair.public_pem) is load_public_key(key_pair.public_pem.strip())


def test_pkcs1_pems_load() -> None:
    private = load_private_key(vector_file("cavage-test-private.pem"))
    public = load_public_key(private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.PKCS1))
    assert public.public_numbers() == private.public_key().public_numbers()


@pytest.mark.parametrize("pem", ["", "not a key", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"])
def test_garbage_public_keys(pem: str) -> None:
    with pytest.raises(InvalidKey):
        load_public_key(pem)


def test_non_rsa_and_tiny_keys_are_refused() -> None:
    ec_key = ec.generate_private_key(ec.SECP256R1())
    with pytest.raises(InvalidKey, match="only RSA"):
        load_public_key(public_key_pem_of(ec_key.public_key()))
    with pytest.raises(InvalidKey, match="only RSA"):
        load_private_key(ec_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                              serialization.NoEncryption()))
    tiny = rsa.RSAPublicNumbers(65537, 2**511 + 111).public_key()  # cryptography will not generate < 1024 bits
    with pytest.raises(InvalidKey, match="too small"):
        load_public_key(public_key_pem(tiny))
    with pytest.raises(InvalidKey):
        load_private_key("garbage")


def public_key_pem_of(key: ec.EllipticCurvePublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def test_key_ids() -> None:
    assert key_id_for("https://our.example/u/abc") == "https://our.example/u/abc#main-key"
    assert actor_id_of_key("https://our.example/u/abc#main-key") == "https://our.example/u/abc"
    assert actor_id_of_key("https://m.example/users/a") == "https://m.example/users/a"
