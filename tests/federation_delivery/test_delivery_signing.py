"""The signing helper's protocol and the headers the engine builds: pure, no processes or network."""

from __future__ import annotations

import io
from datetime import datetime, timezone

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from fediscience.activitypub import load_private_key, sign_request
from fediscience.activitypub.digest import make_digest
from fediscience.activitypub.httpdate import format_http_date
from fediscience.federation.delivery_signer import FAILED, SIGN, SIGNED, FrameError, answer, pack, serve, unpack
from fediscience.federation.delivery_signing import post_headers, signed, signing_text

URL = "https://remote.example/users/bob/inbox?x=1"
KEY_ID = "https://science.example/u/alice#main-key"


def _verify(public_key, signature: bytes, text: bytes) -> None:
    public_key.verify(signature, text, padding.PKCS1v15(), hashes.SHA256())


def test_frames_round_trip_and_keep_empty_and_binary_items():
    frame = pack(7, SIGN, [b"pem", b"", bytes(range(256))])
    assert int.from_bytes(frame[:4], "big") == len(frame) - 4
    assert unpack(frame[4:]) == (7, SIGN, [b"pem", b"", bytes(range(256))])


@pytest.mark.parametrize("body", [b"", b"\x00\x00", b"\x00\x00\x00\x01S\x00\x00\x00\x09abc"])
def test_a_truncated_frame_is_refused(body):
    with pytest.raises(FrameError):
        unpack(body)


def test_a_helper_answers_signatures_that_verify_in_order(key_pair):
    texts = [b"first string", b"second string", "caf\u00e9".encode()]
    request_id, kind, signatures = unpack(answer(pack(42, SIGN, [key_pair.private_pem.encode(), *texts])[4:])[4:])
    assert (request_id, kind, len(signatures)) == (42, SIGNED, 3)
    public_key = load_private_key(key_pair.private_pem).public_key()
    for text, signature in zip(texts, signatures):
        _verify(public_key, signature, text)
    with pytest.raises(InvalidSignature):
        _verify(public_key, signatures[0], texts[1])


@pytest.mark.parametrize(("kind", "items", "why"), [
    (SIGN, [b"-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n", b"text"], "InvalidKey"),
    (b"X", [b"pem", b"text"], "unknown request kind"),
    (SIGN, [], "unknown request kind"),
])
def test_a_request_it_cannot_sign_gets_an_error_answer_with_the_reason(kind, items, why):
    request_id, answered, message = unpack(answer(pack(9, kind, items)[4:])[4:])
    assert (request_id, answered) == (9, FAILED)
    assert why in message[0].decode()


def test_serve_answers_each_request_until_its_input_ends(key_pair):
    pem = key_pair.private_pem.encode()
    requests = pack(1, SIGN, [pem, b"a"]) + pack(2, SIGN, [b"bad pem", b"b"]) + pack(3, SIGN, [pem, b"c", b"d"])
    out = io.BytesIO()
    serve(io.BytesIO(requests), out)
    data, answers = out.getvalue(), []
    while data:
        size = int.from_bytes(data[:4], "big")
        answers.append(unpack(data[4:4 + size]))
        data = data[4 + size:]
    assert [(request_id, kind, len(items)) for request_id, kind, items in answers] == [
        (1, SIGNED, 1), (2, FAILED, 1), (3, SIGNED, 2)]


def test_serve_stops_quietly_on_a_half_sent_frame(key_pair):
    whole = pack(1, SIGN, [key_pair.private_pem.encode(), b"a"])
    out = io.BytesIO()
    serve(io.BytesIO(whole + whole[:10]), out)
    assert unpack(out.getvalue()[4:])[1] == SIGNED


def test_the_engine_builds_exactly_the_headers_sign_request_makes(key_pair):
    key, body = load_private_key(key_pair.private_pem), b'{"type":"Create"}'
    when = datetime(2025, 6, 1, 12, 0, tzinfo=timezone.utc)
    headers = post_headers(URL, make_digest(body), format_http_date(when))
    text = signing_text(URL, headers)
    assert text.decode().splitlines()[0] == "(request-target): post /users/bob/inbox?x=1"
    ours = signed(headers, KEY_ID, key.sign(text, padding.PKCS1v15(), hashes.SHA256()))
    assert ours == sign_request("POST", URL, key_id=KEY_ID, private_key=key, body=body, now=when)
