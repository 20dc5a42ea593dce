"""HTTP dates: IMF-fixdate out (what Mastodon's `Time.httpdate` requires), tolerant parsing in."""

from __future__ import annotations

import email.utils
from datetime import datetime, timezone


def format_http_date(when: datetime | None = None) -> str:
    """`Sun, 05 Jan 2014 21:31:40 GMT` for a datetime (naive means UTC), or for now."""
    if when is None:
        when = datetime.now(timezone.utc)
    elif when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return email.utils.formatdate(when.timestamp(), usegmt=True)


def parse_http_date(value: str) -> datetime | None:
    """An aware UTC datetime from an HTTP/RFC 2822 date (no zone means UTC), or None if unreadable."""
    if not value or len(value) > 64:
        return None
    try:
        parsed = email.utils.parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)
