"""The pure rules: which answers are done, retried or given up; Mastodon's back-off; Retry-After."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

import pytest

from fediscience.federation.delivery_http import is_public_address
from fediscience.federation.delivery_policy import (
    DONE,
    GAVE_UP,
    MAX_RETRY_AFTER,
    RETRY,
    Attempt,
    backoff,
    next_try,
    retry_after,
    verdict,
)

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(("status", "expected"), [
    (200, DONE), (202, DONE), (204, DONE), (400, GAVE_UP), (403, GAVE_UP), (404, GAVE_UP), (410, GAVE_UP),
    (401, RETRY), (408, RETRY), (429, RETRY), (500, RETRY), (501, GAVE_UP), (502, RETRY), (503, RETRY),
    (301, RETRY), (None, RETRY),
])
def test_verdicts(status, expected):
    assert verdict(Attempt(status)) == expected


def test_a_permanent_failure_without_an_answer_gives_up():
    assert verdict(Attempt(None, "refused address", permanent=True)) == GAVE_UP


def test_backoff_is_mastodons_schedule_without_jitter_at_its_floor():
    floor = random.Random()
    floor.uniform = lambda low, high: low  # type: ignore[method-assign]
    assert [backoff(n, rng=floor).total_seconds() for n in range(1, 17)] == [
        15, 16, 31, 96, 271, 640, 1311, 2416, 4111, 6576, 10015, 14656, 20751, 28576, 38431, 50640]


def test_backoff_jitter_stays_within_half_of_n_to_the_fourth_and_scales():
    rng = random.Random(4)
    for _ in range(200):
        seconds = backoff(5, rng=rng).total_seconds()
        assert 4**4 + 15 <= seconds <= 1.5 * 4**4 + 15
    assert backoff(1, base=0.001).total_seconds() == pytest.approx(0.015)


def test_retry_after_reads_seconds_and_http_dates_and_caps_them():
    assert retry_after("120", NOW) == NOW + timedelta(seconds=120)
    assert retry_after("Sun, 01 Jun 2025 13:00:00 GMT", NOW) == NOW + timedelta(hours=1)
    assert retry_after("99999999999", NOW) == NOW + MAX_RETRY_AFTER
    assert retry_after("soon", NOW) is None and retry_after(None, NOW) is None and retry_after("-5", NOW) is None


def test_next_try_takes_the_later_of_back_off_and_retry_after():
    assert next_try(1, Attempt(429, retry_after="600"), NOW, 1.0) == NOW + timedelta(seconds=600)
    late = next_try(10, Attempt(429, retry_after="1"), NOW, 1.0)
    assert late >= NOW + timedelta(seconds=9**4 + 15)


@pytest.mark.parametrize(("address", "public"), [
    ("93.184.216.34", True), ("2606:2800:220:1:248:1893:25c8:1946", True), ("127.0.0.1", False),
    ("10.1.2.3", False), ("192.168.0.1", False), ("169.254.169.254", False), ("::1", False),
    ("::ffff:127.0.0.1", False), ("fe80::1", False), ("fc00::1", False), ("0.0.0.0", False), ("224.0.0.1", False),
])
def test_public_addresses(address, public):
    assert is_public_address(address) is public
