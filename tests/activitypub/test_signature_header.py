"""Parsing and formatting the Signature header."""

from __future__ import annotations

import pytest

from fediscience.activitypub.errors import MalformedSignature, MissingSignature
from fediscience.activitypub.signature_header import format_signature_header, parse_signature_header, read_signature


def test_parse_full_header() -> None:
    params = parse_signature_header(
        'keyId="https://m.example/users/a#main-key",algorithm="rsa-sha256",'
        'headers="(request-target) Host date digest",signature="AQID"'
    )
    assert params.key_id == "https://m.example/users/a#main-key"
    assert params.algorithm == "rsa-sha256"
    assert params.headers == ("(request-target)", "host", "date", "digest")
    assert params.signature == b"\x01\x02\x03"
    assert params.headers_given is True


def test_defaults() -> None:
    params = parse_signature_header('keyId="k",signature="AQID"')
    assert params.algorithm == "hs2019"
    assert params.headers == ("date",)
    assert params.headers_given is False
    created = parse_signature_header('keyId="k",created=1402170695,signature="AQID"')
    assert created.headers == ("(created)",) and created.created == 1402170695


def test_spaces_quotes_and_escapes() -> None:
    params = parse_signature_header(' keyId = "a\\"b" , Algorithm=RSA-SHA256 , signature = "AQID" , ')
    assert params.key_id == 'a"b'
    assert params.algorithm == "rsa-sha256"


def test_format_round_trips_through_parse() -> None:
    value = format_signature_header('k"1', b"\x00\xff", ("(request-target)", "host"), created=5)
    assert value == 'keyId="k\\"1",algorithm="rsa-sha256",created=5,headers="(request-target) host",signature="AP8="'
    params = parse_signature_header(value)
    assert (params.key_id, params.signature, params.created) == ('k"1', b"\x00\xff", 5)


def test_read_prefers_signature_then_authorization() -> None:
    both = {"signature": 'keyId="one",signature="AQID"', "AUTHORIZATION": 'Signature keyId="two",signature="AQID"'}
    assert read_signature(both).key_id == "one"
    assert read_signature({"Authorization": 'signature keyId="two",signature="AQID"'}).key_id == "two"
    with pytest.raises(MissingSignature):
        read_signature({"Authorization": "Basic dXNlcjpwYXNz"})
    with pytest.raises(MalformedSignature):
        read_signature({"Authorization": "Signature"})
