"""What a delivery attempt's answer means (done, retry, give up) and when to try again. Pure: no I/O.

Mastodon's rules (reference §6–§7): any 2xx is done; 4xx other than 401/408/429, and 501, are not worth
retrying; everything else (other statuses, timeouts, connection errors) is retried with the back-off
n⁴ + 15 s + up to 0.5·n⁴ s of jitter for retry n = 0, 1, …, honouring a later `Retry-After`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..activitypub.httpdate import parse_http_date

DONE, RETRY, GAVE_UP = "done", "retry", "gave_up"
RETRYABLE_4XX = frozenset({401, 408, 429})
MAX_RETRY_AFTER = timedelta(days=1)  # a peer cannot park our deliveries for longer than this


@dataclass(frozen=True)
class Attempt:
    """The result of one POST: the HTTP status (None when no answer came) and why it failed, if it did."""

    status: int | None
    error: str | None = None
    retry_after: str | None = None
    permanent: bool = False  # a failure that no retry can fix (a refused address, a bad URL)


def verdict(attempt: Attempt) -> str:
    """DONE, RETRY or GAVE_UP for one attempt (before counting tries)."""
    status = attempt.status
    if status is None:
        return GAVE_UP if attempt.permanent else RETRY
    if 200 <= status < 300:
        return DONE
    if status == 501 or (400 <= status < 500 and status not in RETRYABLE_4XX):
        return GAVE_UP
    return RETRY


def backoff(tries: int, base: float = 1.0, rng: random.Random | None = None) -> timedelta:
    """The wait after the `tries`-th failed attempt (1-based): Mastodon's n⁴ + 15 s + jitter, scaled by base."""
    n = max(tries - 1, 0)
    jitter = (rng or random).uniform(0, 0.5 * n**4)
    return timedelta(seconds=(n**4 + 15 + jitter) * base)


def retry_after(value: str | None, now: datetime) -> datetime | None:
    """The time a `Retry-After` header (delta seconds or an HTTP date) names, capped; None if unreadable."""
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        when = now + timedelta(seconds=int(text[:9]))
    else:
        parsed = parse_http_date(text)
        if parsed is None:
            return None
        when = parsed
    return min(when, now + MAX_RETRY_AFTER)


def next_try(tries: int, attempt: Attempt, now: datetime, base: float) -> datetime:
    """When to try again after a retryable failure: the back-off, or the peer's Retry-After when later."""
    scheduled = now + backoff(tries, base)
    asked = retry_after(attempt.retry_after, now)
    return max(scheduled, asked) if asked is not None else scheduled
