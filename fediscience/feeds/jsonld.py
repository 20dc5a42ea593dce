"""schema.org descriptions (JSON-LD) of papers, summaries and users, and their safe embedding in HTML."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from markupsafe import Markup

from ..papers.models import Paper
from ..summaries.models import Summary
from ..users.models import Actor, User
from .site import Site, iso, published, summary_title, updated
from .text import excerpt, html_excerpt

# Inside <script> the HTML parser only looks for "</script"; escaping these keeps any string inert there.
_SCRIPT_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def script_json(data: dict[str, Any]) -> Markup:
    """JSON for a <script type="application/ld+json"> element: no text in it can close the element."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return Markup("".join(_SCRIPT_ESCAPES.get(char, char) for char in text))


def web_url(url: str | None) -> str | None:
    """The URL if it is an http(s) address (metadata may hold anything), else None."""
    return url if url and url.lower().startswith(("https://", "http://")) else None


def person(name: str, url: str | None = None) -> dict[str, Any]:
    """A schema.org Person."""
    data: dict[str, Any] = {"@type": "Person", "name": name}
    if url:
        data["url"] = url
    return data


def scholarly_article(site: Site, paper: Paper) -> dict[str, Any]:
    """A paper as a schema.org ScholarlyArticle: title, authors, date, identifiers and other addresses."""
    url = site.paper_url(paper)
    data: dict[str, Any] = {
        "@type": "ScholarlyArticle", "@id": url, "url": url, "name": paper.title, "headline": excerpt(paper.title, 110),
        "author": [person(name) for name in paper.author_names],
    }
    if paper.published_on is not None:
        data["datePublished"] = paper.published_on.isoformat()
    elif paper.year:
        data["datePublished"] = str(paper.year)
    if paper.abstract:
        data["abstract"] = paper.abstract
    if isinstance(paper.keywords, list) and paper.keywords:
        data["keywords"] = [word for word in paper.keywords if isinstance(word, str)]
    identifiers, same_as = _identifiers(paper)
    if identifiers:
        data["identifier"] = identifiers
    if same_as:
        data["sameAs"] = same_as
    return data


def _identifiers(paper: Paper) -> tuple[list[dict[str, str]], list[str]]:
    """PropertyValues for the DOI, arXiv id and DBLP key, and the addresses of the paper elsewhere."""
    known = (
        ("DOI", paper.doi, "https://doi.org/"),
        ("arXiv", paper.arxiv_id, "https://arxiv.org/abs/"),
        ("DBLP", paper.dblp_key, "https://dblp.org/rec/"),
    )
    identifiers = [{"@type": "PropertyValue", "propertyID": name, "value": value} for name, value, _ in known if value]
    same_as = [prefix + value for _, value, prefix in known if value]
    same_as += [url for url in (web_url(paper.landing_url), web_url(paper.pdf_url)) if url and url not in same_as]
    return identifiers, same_as


def review(site: Site, summary: Summary, *, with_item: bool = True) -> dict[str, Any]:
    """A summary as a schema.org Review of its paper (the paper nested unless the page is the paper's)."""
    url = site.summary_url(summary)
    data: dict[str, Any] = {
        "@type": "Review", "@id": url, "url": url, "name": summary_title(summary),
        "author": person(summary.author.name, site.actor_url(summary.author)),
        "datePublished": iso(published(summary)), "dateModified": iso(updated(summary)),
    }
    if with_item:
        data["description"] = html_excerpt(summary.html, 200)
        data["itemReviewed"] = scholarly_article(site, summary.paper)
        data["publisher"] = {"@type": "Organization", "name": site.site_name, "url": site.base_url}
    return data


def summary_document(site: Site, summary: Summary) -> dict[str, Any]:
    """The JSON-LD of a summary page."""
    return {"@context": "https://schema.org", **review(site, summary)}


def paper_document(site: Site, paper: Paper, summaries: Sequence[Summary]) -> dict[str, Any]:
    """The JSON-LD of a paper page, listing its public summaries as reviews."""
    data = {"@context": "https://schema.org", **scholarly_article(site, paper)}
    if summaries:
        data["review"] = [review(site, summary, with_item=False) for summary in summaries]
    return data


def profile_document(site: Site, actor: Actor, user: User | None, avatar: str | None) -> dict[str, Any]:
    """The JSON-LD of a profile page: a ProfilePage about the Person."""
    url = site.actor_url(actor)
    subject = person(actor.name, url)
    subject["alternateName"] = "@" + actor.handle
    if actor.bio:
        subject["description"] = actor.bio
    if avatar:
        subject["image"] = avatar
    same_as = [web_url(user.website)] if user is not None and user.website else []
    if user is not None and user.orcid:
        same_as.insert(0, f"https://orcid.org/{user.orcid}")
    if [url for url in same_as if url]:
        subject["sameAs"] = [url for url in same_as if url]
    return {"@context": "https://schema.org", "@type": "ProfilePage", "url": url, "mainEntity": subject}
