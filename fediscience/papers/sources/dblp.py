"""Read a paper's metadata from a DBLP record (dblp.org/rec/KEY.xml).

CoRR keys that name an arXiv paper (journals/corr/1512.03385, journals/corr/abs-1512-03385) are better
read from arXiv, which has the abstract: `resolve.fetch_metadata` sends those there and never calls this.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from urllib.parse import quote

import httpx

from fediscience.papers.identifiers import InvalidIdentifier, normalise_dblp
from fediscience.papers.metadata import NotFound, PaperMetadata, clean_text
from fediscience.papers.sources._http import get, unexpected

SERVICE = "DBLP"
DEFAULT_URL = "https://dblp.org"
_RECORD_TAGS = {"article", "inproceedings", "proceedings", "book", "incollection", "phdthesis", "mastersthesis"}
# DBLP tells namesakes apart with a four-digit suffix: "Kaiming He 0001".
_HOMONYM_SUFFIX = re.compile(r"\s+\d{4}$")
_DOI_LINK = re.compile(r"https?://(?:dx\.)?doi(?:\.acm|\.ieeecomputersociety)?\.org/(?P<doi>10\.\d{4,9}/\S+)", re.I)
_ARXIV_LINK = re.compile(r"https?://(?:www\.)?arxiv\.org/abs/(?P<id>\S+?)(?:v\d+)?$", re.I)


def fetch_dblp(client: httpx.Client, key: str, base_url: str = DEFAULT_URL) -> PaperMetadata:
    """Fetch the DBLP record with this key; raise NotFound or SourceUnavailable."""
    try:
        key = normalise_dblp(key)
    except InvalidIdentifier as exc:
        raise NotFound(f"DBLP has no record {key}: {exc}") from exc
    url = f"{base_url.rstrip('/')}/rec/{quote(key, safe='/')}.xml"
    response = get(client, url, service=SERVICE)
    if response.status_code in (404, 410):
        raise NotFound(f"DBLP has no record {key}.")
    if response.status_code != 200:
        raise unexpected(SERVICE, f"HTTP {response.status_code}")
    return parse_dblp_record(response.content, key)


def parse_dblp_record(content: bytes, key: str) -> PaperMetadata:
    """Read the publication in a DBLP <dblp><article|inproceedings …> answer into PaperMetadata."""
    if b"<!ENTITY" in content:
        raise unexpected(SERVICE, "entity declarations")  # never sent by DBLP; refuse entity-expansion tricks
    try:
        root = ET.fromstring(content)
    except ET.ParseError as exc:
        raise unexpected(SERVICE, "malformed XML") from exc
    record = next((child for child in root if child.tag in _RECORD_TAGS), None)
    if root.tag != "dblp" or record is None:
        raise unexpected(SERVICE, "no publication in the record")
    return _record_to_metadata(record, key)


def _record_to_metadata(record: ET.Element, key: str) -> PaperMetadata:
    title = _title(record)
    if not title:
        raise unexpected(SERVICE, f"record {key} without a title")
    links = [text for el in record.findall("ee") if (text := _text(el))]
    doi = next((m["doi"].lower() for link in links if (m := _DOI_LINK.match(link))), None)
    arxiv_id = next((m["id"] for link in links if (m := _ARXIV_LINK.match(link))), None)
    return PaperMetadata(
        title=title,
        source="dblp",
        authors=[_HOMONYM_SUFFIX.sub("", name) for el in record.findall("author") if (name := _text(el))],
        venue=_text(record.find("booktitle")) or _text(record.find("journal")),
        year=_year(_text(record.find("year"))),
        doi=doi,
        arxiv_id=arxiv_id,
        dblp_key=record.get("key") or key,
        landing_url=links[0] if links else f"https://dblp.org/rec/{key}.html",
        pdf_url=_pdf(links, arxiv_id),
    )


def _title(record: ET.Element) -> str | None:
    title = _text(record.find("title"))
    # DBLP ends every title with a full stop; keep "?" and "!" which are part of the title.
    return title[:-1].rstrip() if title and title.endswith(".") else title


def _pdf(links: list[str], arxiv_id: str | None) -> str | None:
    if arxiv_id:
        return f"https://arxiv.org/pdf/{arxiv_id}"
    return next((link for link in links if link.lower().endswith(".pdf")), None)


def _year(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() else None


def _text(element: ET.Element | None) -> str | None:
    # itertext: DBLP titles may hold <i>, <sub> or <sup> markup.
    return clean_text("".join(element.itertext())) if element is not None else None
