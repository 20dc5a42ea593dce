"""What the <head> of a summary, paper or profile page says to link previews and search engines."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from markupsafe import Markup

from ..papers.models import Paper
from ..summaries.models import Summary
from ..users.models import Actor, User
from . import jsonld
from .site import Site, iso, published, summary_title, updated
from .text import excerpt, html_excerpt

DESCRIPTION_CHARS = 200


@dataclass
class PageMeta:
    """OpenGraph and Twitter card fields, canonical and feed links, JSON-LD and the robots directive of a page."""

    title: str
    description: str
    og_type: str
    site_name: str
    url: str | None = None  # canonical; None on pages only some people may read
    image: str | None = None
    noindex: bool = False
    properties: list[tuple[str, str]] = field(default_factory=list)  # further og:/article:/profile: properties
    feeds: list[tuple[str, str]] = field(default_factory=list)  # (title, absolute URL) of Atom feeds
    json_ld: Markup | None = None


def summary_meta(site: Site, summary: Summary) -> PageMeta:
    """A summary page: an article card; private and draft ones say noindex and give no address or JSON-LD."""
    meta = PageMeta(
        title=summary_title(summary), description=html_excerpt(summary.html, DESCRIPTION_CHARS),
        og_type="article", site_name=site.site_name, image=jsonld.web_url(summary.author.avatar_url),
    )
    if not summary.is_public:
        meta.noindex = True
        return meta
    meta.url = site.summary_url(summary)
    author_url = site.actor_url(summary.author)
    meta.properties = [
        *([("article:author", author_url)] if author_url else []),
        ("article:published_time", iso(published(summary))),
        ("article:modified_time", iso(updated(summary))),
        *(("article:tag", word) for word in _keywords(summary.paper)),
    ]
    meta.feeds = [(f"Summaries of {summary.paper.title}", site.paper_feed_url(summary.paper))]
    if summary.author.local:
        meta.feeds.append((f"Summaries by {summary.author.name}", site.actor_feed_url(summary.author)))
    meta.json_ld = jsonld.script_json(jsonld.summary_document(site, summary))
    return meta


def paper_meta(site: Site, paper: Paper, summaries: Sequence[Summary]) -> PageMeta:
    """A paper page: described by its abstract (or its best public summary), with its public summaries in JSON-LD."""
    public = [summary for summary in summaries if summary.is_public]
    if paper.abstract:
        description = excerpt(paper.abstract, DESCRIPTION_CHARS)
    elif public:
        description = html_excerpt(public[0].html, DESCRIPTION_CHARS)
    else:
        description = excerpt(_byline(paper), DESCRIPTION_CHARS)
    properties = [("article:tag", word) for word in _keywords(paper)]
    if paper.published_on is not None:
        properties.insert(0, ("article:published_time", paper.published_on.isoformat()))
    return PageMeta(
        title=paper.title, description=description, og_type="article", site_name=site.site_name,
        url=site.paper_url(paper), properties=properties,
        feeds=[(f"Summaries of {paper.title}", site.paper_feed_url(paper))],
        json_ld=jsonld.script_json(jsonld.paper_document(site, paper, public)),
    )


def profile_meta(site: Site, actor: Actor, user: User | None) -> PageMeta:
    """A local user's profile page: a profile card and a ProfilePage in JSON-LD."""
    avatar = jsonld.web_url(actor.avatar_url)
    description = f"Summaries of research papers by {actor.name}."
    if actor.bio:
        description = excerpt(actor.bio, DESCRIPTION_CHARS)
    return PageMeta(
        title=f"{actor.name} (@{actor.handle})", description=description, og_type="profile",
        site_name=site.site_name, url=site.actor_url(actor), image=avatar,
        properties=[("profile:username", actor.handle)],
        feeds=[(f"Summaries by {actor.name}", site.actor_feed_url(actor))],
        json_ld=jsonld.script_json(jsonld.profile_document(site, actor, user, avatar)),
    )


def _byline(paper: Paper) -> str:
    where = " ".join(str(part) for part in (paper.venue, paper.year) if part)
    return " · ".join(part for part in (", ".join(paper.author_names), where) if part) or paper.title


def _keywords(paper: Paper) -> list[str]:
    return [word for word in paper.keywords if isinstance(word, str)] if isinstance(paper.keywords, list) else []
