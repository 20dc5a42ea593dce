"""Finding or creating the venue of a paper from the venue string its metadata gives."""

from __future__ import annotations

import re

from sqlalchemy import select

from ..db import db, insert_ignoring_conflicts
from .models import Venue

_YEARS_AND_NUMBERS = re.compile(r"\b(?:19|20)\d\d\b|\b\d+(?:st|nd|rd|th)?\b|'\d\d\b")
_EMPTY_BRACKETS = re.compile(r"\(\s*\)|\[\s*\]")
_SPACES = re.compile(r"\s+")


def venue_name(raw: str) -> str:
    """The venue's name without volume numbers, editions or years: 'NIPS 2016' → 'NIPS'."""
    name = _YEARS_AND_NUMBERS.sub(" ", raw)
    name = _EMPTY_BRACKETS.sub(" ", name)
    name = re.sub(r"([(\[])\s+", r"\1", re.sub(r"\s+([)\]])", r"\1", name))
    name = _SPACES.sub(" ", name).strip(" ,;:-–")
    return name or raw.strip()


def venue_key(raw: str) -> str:
    """The key that makes two spellings of one venue the same row."""
    return re.sub(r"[^a-z0-9]+", " ", venue_name(raw).lower()).strip()[:300]


def venue_for(raw: str | None) -> Venue | None:
    """The venue row for a venue string, created on first use (concurrent creations merge in the INSERT)."""
    if not raw or not raw.strip():
        return None
    key = venue_key(raw)
    if not key:
        return None
    db.session.execute(insert_ignoring_conflicts(Venue, key=key, name=venue_name(raw)[:500]))
    return db.session.scalar(select(Venue).where(Venue.key == key))
