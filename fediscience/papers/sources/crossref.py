"""Read a paper's metadata from the Crossref REST API (api.crossref.org/works/DOI)."""

from __future__ import annotations

import datetime
import html
import re
from typing import Any
from urllib.parse import quote

import httpx

from fediscience.papers.metadata import NotFound, PaperMetadata, clean_text
from fediscience.papers.sources._http import get, unexpected

SERVICE = "Crossref"
DEFAULT_URL = "https://api.crossref.org"
USER_AGENT = "FediScience/0.1 (federated paper summaries)"
_JATS_TITLE = re.compile(r"<jats:title>.*?</jats:title>", re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
_DATE_FIELDS = ("published-print", "published-online", "issued")


def fetch_crossref(client: httpx.Client, doi: str, base_url: str = DEFAULT_URL, *,
                   mailto: str | None = None) -> PaperMetadata:
    """Fetch the work with this DOI; mailto puts us in Crossref's polite pool. Raise NotFound or SourceUnavailable."""
    doi = doi.strip().lower()
    url = f"{base_url.rstrip('/')}/works/{quote(doi, safe='/:;()')}"
    agent = f"{USER_AGENT} mailto:{mailto}" if mailto else USER_AGENT
    response = get(client, url, service=SERVICE, headers={"User-Agent": agent, "Accept": "application/json"})
    if response.status_code == 404:
        raise NotFound(f"Crossref has no record of DOI {doi}.")
    if response.status_code != 200:
        raise unexpected(SERVICE, f"HTTP {response.status_code}")
    return parse_crossref_work(_json(response), doi)


def parse_crossref_work(document: Any, doi: str) -> PaperMetadata:
    """Read a Crossref /works/DOI answer ({"status": "ok", "message": {...}}) into PaperMetadata."""
    message = document.get("message") if isinstance(document, dict) else None
    if not isinstance(message, dict):
        raise unexpected(SERVICE, "no work in the answer")
    title = _title(message)
    if not title:
        raise unexpected(SERVICE, f"a record of {doi} without a title")
    dates = [_date_parts(message.get(name)) for name in _DATE_FIELDS]
    found = [d for d in dates if d]
    full = [datetime.date(*d) for d in found if len(d) == 3]
    return PaperMetadata(
        title=title,
        source="crossref",
        authors=_authors(message.get("author")),
        venue=_venue(message),
        year=found[0][0] if found else None,
        abstract=_abstract(message.get("abstract")),
        keywords=[s for s in (_text(x) for x in _list(message.get("subject"))) if s],
        published=min(full) if full else None,
        doi=str(message.get("DOI") or doi).lower(),
        landing_url=f"https://doi.org/{doi}",
        pdf_url=_pdf_link(message.get("link")),
    )


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError as exc:
        raise unexpected(SERVICE, "not JSON") from exc


def _title(message: dict[str, Any]) -> str | None:
    title = _first_text(message.get("title"))
    subtitle = _first_text(message.get("subtitle"))
    if title and subtitle and subtitle.lower() not in title.lower():
        return f"{title}: {subtitle}"
    return title


def _venue(message: dict[str, Any]) -> str | None:
    event = message.get("event")
    event_name = _text(event.get("name")) if isinstance(event, dict) else None
    return _first_text(message.get("container-title")) or event_name


def _authors(authors: Any) -> list[str]:
    names = []
    for author in _list(authors):
        if not isinstance(author, dict):
            continue
        # Organisations come as "name" only; people as given + family.
        parts = [_text(author.get("given")), _text(author.get("family"))]
        name = " ".join(p for p in parts if p) or _text(author.get("name"))
        if name:
            names.append(name)
    return names


def _abstract(jats: Any) -> str | None:
    if not isinstance(jats, str):
        return None
    return clean_text(html.unescape(_TAG.sub(" ", _JATS_TITLE.sub(" ", jats))))


def _pdf_link(links: Any) -> str | None:
    for link in _list(links):
        if isinstance(link, dict) and link.get("content-type") == "application/pdf":
            return _text(link.get("URL"))
    return None


def _date_parts(value: Any) -> tuple[int, ...] | None:
    try:
        parts = tuple(int(p) for p in value["date-parts"][0] if p is not None)
        if len(parts) == 3:
            datetime.date(*parts)
    except (KeyError, IndexError, TypeError, ValueError):
        return None
    return parts or None


def _first_text(values: Any) -> str | None:
    return next((t for t in (_text(v) for v in _list(values)) if t), None)


def _text(value: Any) -> str | None:
    # Crossref titles may carry inline markup (<i>, <sub>, <scp>) and HTML entities.
    return clean_text(html.unescape(_TAG.sub("", value))) if isinstance(value, str) else None


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
