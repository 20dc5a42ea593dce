"""ActivityStreams media types and Accept negotiation."""

from __future__ import annotations

import pytest

from fediscience.activitypub.mediatypes import ACCEPT_ACTIVITY, is_activity_media_type, wants_activity_json


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("application/activity+json", True),
        ("Application/Activity+JSON; charset=utf-8", True),
        ('application/ld+json; profile="https://www.w3.org/ns/activitystreams"', True),
        ("application/ld+json;profile=https://www.w3.org/ns/activitystreams", True),
        ("application/ld+json", False),
        ("application/json", False),
        ("text/html", False),
        (None, False),
    ],
)
def test_activity_media_types(value: str | None, expected: bool) -> None:
    assert is_activity_media_type(value) is expected


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (ACCEPT_ACTIVITY, True),
        ('application/activity+json, application/ld+json; profile="…", text/html;q=0.1', True),
        ("text/html,application/xhtml+xml,*/*;q=0.8", False),
        ("application/activity+json;q=0", False),
        ("", False),
        (None, False),
    ],
)
def test_wants_activity_json(accept: str | None, expected: bool) -> None:
    assert wants_activity_json(accept) is expected
