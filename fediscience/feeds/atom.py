"""Atom feeds of public summaries, built with feedgen."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.feed import FeedGenerator
from feedgen.util import xml_elem

from ..summaries.models import Summary
from .site import Site, published, summary_title, updated
from .text import html_excerpt, xml_safe

ATOM_TYPE = "application/atom+xml"
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)  # the `updated` of a feed with no entries
EXCERPT_CHARS = 300
_LINKS = "fediscience_links"  # the name feedgen gives our entry extension


@dataclass(frozen=True)
class FeedInfo:
    """What a feed is about: its title, its own address (also its id) and the page it mirrors."""

    title: str
    self_url: str
    page_url: str
    subtitle: str | None = None


def build_atom(site: Site, info: FeedInfo, summaries: Sequence[Summary]) -> bytes:
    """An Atom document of these summaries, in the given order (callers pass public summaries only)."""
    feed = FeedGenerator()
    feed.id(info.self_url)
    feed.title(xml_safe(info.title))
    if info.subtitle:
        feed.subtitle(xml_safe(info.subtitle))
    feed.link(href=info.self_url, rel="self", type=ATOM_TYPE)
    feed.link(href=info.page_url, rel="alternate", type="text/html")
    feed.generator(xml_safe(site.site_name), uri=site.base_url)
    feed.register_extension(_LINKS, BaseExtension, _EntryLinks, atom=True, rss=False)
    feed.updated(max((updated(summary) for summary in summaries), default=EPOCH))
    for summary in summaries:
        _add_entry(feed, site, summary)
    return feed.atom_str(pretty=True)


def _add_entry(feed: FeedGenerator, site: Site, summary: Summary) -> None:
    url = site.summary_url(summary)
    entry = feed.add_entry(order="append")
    entry.id(url)
    entry.title(xml_safe(summary_title(summary)))
    links = getattr(entry, _LINKS).links
    links.append({"rel": "alternate", "type": "text/html", "href": url})
    links.append({"rel": "related", "type": "text/html", "href": site.paper_url(summary.paper)})
    author = {"name": xml_safe(summary.author.name)}
    if (author_url := site.actor_url(summary.author)) is not None:
        author["uri"] = author_url
    entry.author(author)
    entry.published(published(summary))
    entry.updated(updated(summary))
    entry.content(xml_safe(summary.html), type="html")
    entry.summary(xml_safe(html_excerpt(summary.html, EXCERPT_CHARS)))
    for keyword in _keywords(summary):
        entry.category(term=keyword)


def _keywords(summary: Summary) -> list[str]:
    """The paper's keywords that can be Atom category terms (the JSON column may hold anything)."""
    keywords = summary.paper.keywords if isinstance(summary.paper.keywords, list) else []
    return [xml_safe(word).strip() for word in keywords if isinstance(word, str) and xml_safe(word).strip()]


class _EntryLinks(BaseEntryExtension):
    """An entry's <link>s with their rel and type (feedgen 1.0 drops both from entry links, making all alternate)."""

    def __init__(self) -> None:
        self.links: list[dict[str, str]] = []

    def extend_atom(self, entry: Any) -> Any:
        """Append the links to the entry element."""
        for attributes in self.links:
            xml_elem("link", entry, **attributes)
        return entry
