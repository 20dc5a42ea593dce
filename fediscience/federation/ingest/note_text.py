"""Reading a received Note: its addressing, permalink, times, language, and its text as we store it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app

from ...activitypub.parse import addressing_of, content_of, published_of, updated_of, url_of
from ...activitypub.structure import is_http_url
from ...db import utcnow
from ...errors import DomainError
from ...summaries.services import render_summary_source
from ...text import plain_text, sanitize_remote_html
from ..tombstones import find_tombstone
from .context import DONE, IGNORED, Rejected, same_origin

MARKDOWN = "text/markdown"
_LANGUAGE = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8}){0,3}")


@dataclass(frozen=True)
class NoteText:
    """A Note's text as we store it: the source (Markdown, or plain text) and the safe HTML shown."""

    source: str
    html: str


def is_public(note: dict[str, Any], activity: dict[str, Any] | None = None) -> bool:
    """Public or unlisted: Public in the Note's to/cc (or the activity's, when the Note has no addressing)."""
    addressing = addressing_of(note)
    if not addressing.recipients and activity is not None:
        addressing = addressing_of(activity)
    return addressing.is_public


def settled_outcome(
    note: dict[str, Any], activity: dict[str, Any] | None, author: Any, stored: Any, kind: str
) -> str | None:
    """What a received Note needs no storing for: IGNORED if not public or its id was deleted, DONE if `stored`
    (what we hold under its id) is the author's, Rejected if another's; None when it is new to us."""
    if not is_public(note, activity) or find_tombstone(note["id"]) is not None:
        return IGNORED
    if stored is None:
        return None
    if stored.author_id != author.id:
        raise Rejected(f"the {kind} {note['id']} belongs to another actor")
    return DONE


def permalink(note: dict[str, Any], object_id: str) -> str | None:
    """The Note's `url` (its HTML page) when it is http(s) on the Note's own host, else None."""
    url = url_of(note.get("url"))
    return url if url and len(url) <= 2048 and is_http_url(url) and same_origin(url, object_id) else None


def published_at(note: dict[str, Any]) -> datetime:
    """When the Note was published (never later than now; now when absent)."""
    return min(published_of(note) or utcnow(), utcnow())


def updated_at(note: dict[str, Any]) -> datetime | None:
    """When the Note was last edited (never later than now), or None without a readable `updated`."""
    updated = updated_of(note)
    return min(updated, utcnow()) if updated is not None else None


def language_of(note: dict[str, Any]) -> str | None:
    """The language tag of the Note's text: the first well-formed key of its `contentMap`."""
    content_map = note.get("contentMap")
    if not isinstance(content_map, dict):
        return None
    return next((key for key in content_map if isinstance(key, str) and _LANGUAGE.fullmatch(key)), None)


def markdown_source(note: dict[str, Any]) -> str | None:
    """The Note's `source.content` when its `mediaType` is Markdown (as a FediScience peer sends it)."""
    source = note.get("source")
    if not isinstance(source, dict) or not isinstance(source.get("content"), str):
        return None
    media_type = source.get("mediaType")
    if not isinstance(media_type, str) or media_type.split(";")[0].strip().lower() != MARKDOWN:
        return None
    return source["content"]


def summary_text(note: dict[str, Any]) -> NoteText:
    """A remote summary's text: its Markdown source re-rendered by our renderer, else its HTML sanitised."""
    source = markdown_source(note)
    if source is not None:
        try:
            return NoteText(source, render_summary_source(source))
        except DomainError as exc:  # empty, or over the size cap
            raise Rejected(f"the summary's source is refused: {exc}") from None
    html = _sanitised_content(note, _settings().max_summary_bytes)
    return NoteText(plain_text(html), html)


def comment_text(note: dict[str, Any]) -> NoteText:
    """A remote comment's text: its HTML sanitised, with its Markdown source if given, else the plain text."""
    settings = _settings()
    html = _sanitised_content(note, settings.max_summary_bytes)  # MathML makes a comment's HTML much larger
    source = markdown_source(note)
    source = source if source is not None and source.strip() else plain_text(html)
    if len(source.encode("utf-8")) > settings.max_comment_bytes:
        raise Rejected(f"the comment is longer than our limit of {settings.max_comment_bytes // 1000} KB")
    return NoteText(source, html)


def _sanitised_content(note: dict[str, Any], limit: int) -> str:
    content = content_of(note)
    if content is None or not content.strip():
        raise Rejected("the Note has no content")
    if len(content.encode("utf-8")) > limit:
        raise Rejected(f"the Note's content is larger than our limit of {limit // 1000} KB")
    html = sanitize_remote_html(content)
    if not plain_text(html).strip():
        raise Rejected("nothing is left of the Note's content once sanitised")
    return html


def _settings() -> Any:
    return current_app.extensions["fediscience.settings"]
