"""Read a paper's metadata from arXiv's Atom API (export.arxiv.org/api/query?id_list=ID)."""

from __future__ import annotations

import datetime
import re
from typing import Any

import feedparser
import httpx

from fediscience.papers.identifiers import InvalidIdentifier, normalise_arxiv
from fediscience.papers.metadata import NotFound, PaperMetadata, clean_text
from fediscience.papers.sources._http import get, unexpected

SERVICE = "arXiv"
DEFAULT_URL = "https://export.arxiv.org/api/query"
_ENTRY_ID = re.compile(r"/abs/(?P<id>.+?)(?P<version>v\d+)?$")
_ERROR_MARK = "/api/errors"


def fetch_arxiv(client: httpx.Client, arxiv_id: str, base_url: str = DEFAULT_URL) -> PaperMetadata:
    """Fetch an arXiv paper (id with or without version); raise NotFound or SourceUnavailable."""
    try:
        wanted, version = normalise_arxiv(arxiv_id)
    except InvalidIdentifier as exc:
        raise NotFound(f"arXiv has no paper {arxiv_id}: {exc}") from exc
    response = get(client, base_url, service=SERVICE, params={"id_list": wanted + (version or ""), "max_results": "1"})
    if response.status_code not in (200, 400):
        raise unexpected(SERVICE, f"HTTP {response.status_code}")
    return parse_arxiv_feed(response.content, wanted)


def parse_arxiv_feed(content: bytes, wanted: str) -> PaperMetadata:
    """Read the paper `wanted` (normalised id) from an arXiv Atom answer."""
    # Bytes, never str: feedparser would fetch a str that looks like a URL or open one that names a file.
    feed = feedparser.parse(bytes(content))
    if not feed.get("version", "").startswith("atom"):
        raise unexpected(SERVICE, "not an Atom feed")
    if feed.get("bozo") and not isinstance(feed.get("bozo_exception"), feedparser.CharacterEncodingOverride):
        raise unexpected(SERVICE, "malformed XML")
    entries = list(feed.entries)
    if not entries:
        raise NotFound(f"arXiv has no paper {wanted}.")
    entry = entries[0]
    if _ERROR_MARK in entry.get("id", ""):
        reason = clean_text(entry.get("summary")) or "error"
        raise NotFound(f"arXiv has no paper {wanted} ({reason}).")
    return _entry_to_metadata(entry, wanted)


def _entry_to_metadata(entry: Any, wanted: str) -> PaperMetadata:
    match = _ENTRY_ID.search(entry.get("id", ""))
    if not match:
        raise unexpected(SERVICE, "an entry without an arXiv id")
    if match["id"] != wanted:
        raise unexpected(SERVICE, f"paper {match['id']} instead of {wanted}")
    title = clean_text(entry.get("title"))
    if not title:
        # Some arXiv versions answer an unknown id with an empty entry rather than none.
        raise NotFound(f"arXiv has no paper {wanted}.")
    published = _date(entry.get("published_parsed"))
    journal_ref = clean_text(entry.get("arxiv_journal_ref"))
    return PaperMetadata(
        title=title,
        source="arxiv",
        authors=[name for a in entry.get("authors", []) if (name := clean_text(a.get("name")))],
        venue=journal_ref or "arXiv",
        year=published.year if published else None,
        abstract=clean_text(entry.get("summary")),
        keywords=_categories(entry),
        published=published,
        arxiv_id=wanted,
        arxiv_version=match["version"],
        doi=_doi(entry.get("arxiv_doi")),
        landing_url=f"https://arxiv.org/abs/{wanted}",
        pdf_url=_pdf_link(entry),
    )


def _categories(entry: Any) -> list[str]:
    primary = (entry.get("arxiv_primary_category") or {}).get("term")
    terms = [primary] + [tag.get("term") for tag in entry.get("tags", [])]
    return list(dict.fromkeys(term for term in terms if term))


def _pdf_link(entry: Any) -> str | None:
    for link in entry.get("links", []):
        if link.get("title") == "pdf" or link.get("type") == "application/pdf":
            return _https(link.get("href"))
    return None


def _doi(text: str | None) -> str | None:
    # arXiv occasionally lists several DOIs separated by spaces; the first is the article's.
    parts = (text or "").split()
    return parts[0].lower() if parts else None


def _date(parsed: Any) -> datetime.date | None:
    return datetime.date(parsed.tm_year, parsed.tm_mon, parsed.tm_mday) if parsed else None


def _https(url: str | None) -> str | None:
    if url and url.startswith("http://arxiv.org/"):
        return "https://" + url[len("http://"):]
    return url
