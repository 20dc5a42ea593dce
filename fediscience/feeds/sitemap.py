"""Sitemaps (sitemaps.org 0.9): a URL set, and an index of URL sets for large instances."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from xml.etree import ElementTree

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
MAX_URLS = 50_000  # the protocol's limit per file


@dataclass(frozen=True)
class SitemapUrl:
    """One address in a sitemap, with when it last changed if known."""

    loc: str
    lastmod: datetime | None = None


def build_urlset(urls: Iterable[SitemapUrl]) -> bytes:
    """A <urlset> document listing these pages."""
    return _document("urlset", "url", urls)


def build_sitemap_index(sitemaps: Iterable[SitemapUrl]) -> bytes:
    """A <sitemapindex> document listing these sitemaps."""
    return _document("sitemapindex", "sitemap", sitemaps)


def _document(root_tag: str, item_tag: str, items: Iterable[SitemapUrl]) -> bytes:
    root = ElementTree.Element(root_tag, xmlns=SITEMAP_NS)
    for item in items:
        element = ElementTree.SubElement(root, item_tag)
        ElementTree.SubElement(element, "loc").text = item.loc
        if item.lastmod is not None:
            ElementTree.SubElement(element, "lastmod").text = w3c_datetime(item.lastmod)
    return ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)


def w3c_datetime(moment: datetime) -> str:
    """A W3C datetime in UTC, as sitemaps expect: 2024-05-01T12:00:00+00:00."""
    return moment.astimezone(timezone.utc).replace(microsecond=0).isoformat()
