"""RSA key pairs for actors: generation, cached PEM loading, `#main-key` key ids."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from cryptography.exceptions import UnsupportedAlgorithm as _CryptoUnsupported
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from .errors import InvalidKey

KEY_SIZE = 2048
MIN_PUBLIC_KEY_SIZE = 1024  # Mastodon checks no size; the draft-cavage test key is 1024 bits
KEY_FRAGMENT = "main-key"


@dataclass(frozen=True)
class KeyPair:
    """A PEM key pair: PKCS#8 private key and SubjectPublicKeyInfo public key."""

    private_pem: str
    public_pem: str


def generate_key_pair(bits: int = KEY_SIZE) -> KeyPair:
    """A new RSA key pair (2048 bits by default, public exponent 65537) as PEM text."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    private_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode("ascii")
    return KeyPair(private_pem=private_pem, public_pem=public_key_pem(key))


def public_key_pem(key: rsa.RSAPrivateKey | rsa.RSAPublicKey) -> str:
    """The SubjectPublicKeyInfo PEM of a key (the `publicKeyPem` of an actor)."""
    public = key.public_key() if isinstance(key, rsa.RSAPrivateKey) else key
    pem = public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    return pem.decode("ascii")


def _as_bytes(pem: str | bytes) -> bytes:
    return pem.encode("ascii", "replace") if isinstance(pem, str) else bytes(pem)


def load_private_key(pem: str | bytes, *, trusted: bool = True) -> rsa.RSAPrivateKey:
    """Load our own RSA private key from PEM (PKCS#8 or PKCS#1), cached by the PEM bytes.

    `trusted=True` skips the RSA consistency check (about 57 ms per load): acceptable for keys we generated
    and stored ourselves; pass `trusted=False` for keys of unknown origin.
    """
    return _load_private(_as_bytes(pem), trusted)


@lru_cache(maxsize=256)
def _load_private(pem: bytes, trusted: bool) -> rsa.RSAPrivateKey:
    try:
        key = serialization.load_pem_private_key(pem, password=None, unsafe_skip_rsa_key_validation=trusted)
    except (ValueError, TypeError, _CryptoUnsupported) as exc:
        raise InvalidKey(f"cannot load the private key: {exc}") from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise InvalidKey("only RSA private keys are supported")
    return key


def load_public_key(pem: str | bytes) -> rsa.RSAPublicKey:
    """Load a remote actor's RSA public key from PEM (SPKI or PKCS#1), cached by the PEM bytes."""
    return _load_public(_as_bytes(pem).strip() + b"\n")


@lru_cache(maxsize=4096)
def _load_public(pem: bytes) -> rsa.RSAPublicKey:
    try:
        key = serialization.load_pem_public_key(pem)
    except (ValueError, TypeError, _CryptoUnsupported) as exc:
        raise InvalidKey(f"cannot load the public key: {exc}") from None
    if not isinstance(key, rsa.RSAPublicKey):
        raise InvalidKey("only RSA public keys are supported")
    if key.key_size < MIN_PUBLIC_KEY_SIZE:
        raise InvalidKey(f"RSA key of {key.key_size} bits is too small (minimum {MIN_PUBLIC_KEY_SIZE})")
    return key


def key_id_for(actor_id: str) -> str:
    """The key id of an actor's main key: `<actor id>#main-key` (what Mastodon expects)."""
    return f"{actor_id}#{KEY_FRAGMENT}"


def actor_id_of_key(key_id: str) -> str:
    """The actor id a key id most likely belongs to: the key id without its fragment."""
    return key_id.split("#", 1)[0]
