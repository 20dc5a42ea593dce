"""Cross-verification with two independent implementations from PyPI, both directions, GET and POST.

apsig (draft signer/verifier on `cryptography`) and httpsig (joyent-style, on pycryptodome). apsig puts the path
without the query in `(request-target)`, so its URLs here have no query; httpsig takes the path as given.
"""

from __future__ import annotations

import warnings
from datetime import datetime, timezone

import pytest
from apsig.draft import Signer as ApsigSigner
from apsig.draft import Verifier as ApsigVerifier
from cryptography.hazmat.primitives.asymmetric import rsa
from httpsig.sign import HeaderSigner
from httpsig.verify import HeaderVerifier

from fediscience.activitypub.digest import make_digest
from fediscience.activitypub.httpdate import format_http_date
from fediscience.activitypub.keys import KeyPair
from fediscience.activitypub.signatures import SignedRequest, sign_request, target_of, verify_request

KEY_ID = "https://remote.example/users/alice#main-key"
POST_URL = "https://our.example/users/bob/inbox"
GET_URL = "https://our.example/users/bob"
BODY = b'{"@context":"https://www.w3.org/ns/activitystreams","id":"https://remote.example/l/1","type":"Like"}'


def _now() -> datetime:
    return datetime.now(timezone.utc)  # the other libraries check dates against the real clock


def test_apsig_verifies_our_post(private_key: rsa.RSAPrivateKey, key_pair: KeyPair) -> None:
    headers = sign_request("POST", POST_URL, key_id=KEY_ID, private_key=private_key, body=BODY)
    verifier = ApsigVerifier(key_pair.public_pem, "POST", POST_URL, headers, BODY)
    assert verifier.verify(raise_on_fail=True) == KEY_ID


def test_apsig_verifies_our_get(private_key: rsa.RSAPrivateKey, key_pair: KeyPair) -> None:
    headers = sign_request("GET", GET_URL, key_id=KEY_ID, private_key=private_key)
    assert ApsigVerifier(key_pair.public_pem, "GET", GET_URL, headers).verify(raise_on_fail=True) == KEY_ID


def test_apsig_refuses_our_post_with_a_tampered_body(private_key: rsa.RSAPrivateKey, key_pair: KeyPair) -> None:
    headers = sign_request("POST", POST_URL, key_id=KEY_ID, private_key=private_key, body=BODY)
    assert ApsigVerifier(key_pair.public_pem, "POST", POST_URL, headers, BODY + b" ").verify() is None


def test_we_verify_apsigs_post(private_key: rsa.RSAPrivateKey, public_key: rsa.RSAPublicKey) -> None:
    headers = ApsigSigner(
        headers={"Content-Type": "application/activity+json"}, private_key=private_key, method="POST",
        url=POST_URL, key_id=KEY_ID, body=BODY,
        signed_headers=["(request-target)", "host", "date", "digest", "content-type"],
    ).sign()
    request = SignedRequest("POST", target_of(POST_URL), headers, BODY)
    verified = verify_request(request, public_key, now=_now(), expected_host="our.example")
    assert verified.key_id == KEY_ID
    assert verified.signed_headers == ("(request-target)", "host", "date", "digest", "content-type")


def test_we_verify_apsigs_default_post_and_get(private_key: rsa.RSAPrivateKey, public_key: rsa.RSAPublicKey) -> None:
    post = ApsigSigner(headers={}, private_key=private_key, method="POST", url=POST_URL, key_id=KEY_ID,
                       body=BODY).sign()
    assert verify_request(SignedRequest("POST", "/users/bob/inbox", post, BODY), public_key, now=_now()).key_id
    get = ApsigSigner(headers={}, private_key=private_key, method="GET", url=GET_URL, key_id=KEY_ID).sign()
    verified = verify_request(SignedRequest("GET", "/users/bob", get), public_key, now=_now())
    assert verified.signed_headers == ("(request-target)", "date", "host")


def test_we_refuse_apsigs_post_with_a_tampered_body(
    private_key: rsa.RSAPrivateKey, public_key: rsa.RSAPublicKey
) -> None:
    post = ApsigSigner(headers={}, private_key=private_key, method="POST", url=POST_URL, key_id=KEY_ID,
                       body=BODY).sign()
    with pytest.raises(ValueError, match="Digest"):
        verify_request(SignedRequest("POST", "/users/bob/inbox", post, BODY + b"x"), public_key, now=_now())


def test_httpsig_verifies_our_post(private_key: rsa.RSAPrivateKey, key_pair: KeyPair) -> None:
    url = POST_URL + "?shared=1"
    headers = sign_request("POST", url, key_id=KEY_ID, private_key=private_key, body=BODY)
    verifier = HeaderVerifier(
        headers, key_pair.public_pem, required_headers=["(request-target)", "host", "date", "digest"],
        method="POST", path=target_of(url), sign_header="signature",
    )
    assert verifier.verify() is True


def test_httpsig_verifies_our_get(private_key: rsa.RSAPrivateKey, key_pair: KeyPair) -> None:
    url = GET_URL + "/outbox?page=true"
    headers = sign_request("GET", url, key_id=KEY_ID, private_key=private_key)
    verifier = HeaderVerifier(headers, key_pair.public_pem, required_headers=["host", "date", "accept"],
                              method="GET", path=target_of(url), sign_header="signature")
    assert verifier.verify() is True
    wrong_path = HeaderVerifier(headers, key_pair.public_pem, method="GET", path="/users/eve",
                                sign_header="signature")
    assert wrong_path.verify() is False


def _httpsig_headers(key_pair: KeyPair, method: str, target: str, names: list[str], sign_header: str,
                     body: bytes | None = None) -> dict[str, str]:
    headers = {"Host": "our.example", "Date": format_http_date(_now())}
    if body is not None:
        headers.update({"Digest": make_digest(body), "Content-Type": "application/activity+json"})
    else:
        headers["Accept"] = "application/activity+json"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        signer = HeaderSigner(KEY_ID, key_pair.private_pem, algorithm="rsa-sha256", headers=names,
                              sign_header=sign_header)
        return dict(signer.sign(headers, method=method, path=target))


def test_we_verify_httpsigs_post_in_the_authorization_header(key_pair: KeyPair, public_key: rsa.RSAPublicKey) -> None:
    names = ["(request-target)", "host", "date", "digest", "content-type"]
    headers = _httpsig_headers(key_pair, "POST", "/inbox?a=1", names, "authorization", BODY)
    assert headers["authorization"].startswith("Signature ")
    verified = verify_request(SignedRequest("POST", "/inbox?a=1", headers, BODY), public_key, now=_now())
    assert verified.key_id == KEY_ID and verified.target == "/inbox?a=1"


def test_we_verify_httpsigs_get_in_the_signature_header(key_pair: KeyPair, public_key: rsa.RSAPublicKey) -> None:
    names = ["(request-target)", "host", "date", "accept"]
    headers = _httpsig_headers(key_pair, "GET", "/users/bob", names, "signature")
    verified = verify_request(SignedRequest("GET", "/users/bob", headers), public_key, now=_now())
    assert verified.signed_headers == tuple(names)


def test_we_refuse_httpsigs_get_for_another_path(key_pair: KeyPair, public_key: rsa.RSAPublicKey) -> None:
    headers = _httpsig_headers(key_pair, "GET", "/users/bob", ["(request-target)", "host", "date"], "signature")
    with pytest.raises(ValueError, match="does not verify"):
        verify_request(SignedRequest("GET", "/users/eve", headers), public_key, now=_now())
