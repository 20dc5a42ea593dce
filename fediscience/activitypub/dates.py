"""RFC 3339 timestamps in ActivityStreams documents: `2025-06-01T12:00:00Z` out, tolerant parsing in."""

from __future__ import annotations

from datetime import datetime, timezone

MAX_DATETIME_LENGTH = 64


def format_datetime(when: datetime) -> str:
    """`2025-06-01T12:00:00Z`: UTC, whole seconds (naive datetimes are taken as UTC)."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_datetime(value: object) -> datetime | None:
    """An aware UTC datetime from an RFC 3339 / ISO 8601 string (`Z`, offsets, fractions, no zone = UTC); else None."""
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_DATETIME_LENGTH:
        return None
    text = value.strip()
    if text[-1:] in ("z", "Z"):
        text = text[:-1] + "+00:00"
    if len(text) > 10 and text[10] in ("t", " "):
        text = text[:10] + "T" + text[11:]
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    try:
        return parsed.astimezone(timezone.utc)
    except OverflowError:
        return None
