"""The public summaries each feed shows, and the rows of the sitemap: never a draft or a private summary."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from sqlalchemy import ColumnElement, Select, func, select

from ..db import db
from ..errors import NotFound
from ..papers.models import Paper
from ..summaries.models import Summary
from ..users.models import Actor
from ..venues.models import Venue
from .site import Site
from .sitemap import SitemapUrl

FEED_SIZE = 50
SitemapPart = Literal["site", "papers", "summaries", "users"]
SITEMAP_PARTS: tuple[SitemapPart, ...] = ("site", "papers", "summaries", "users")


def _public() -> ColumnElement[bool]:
    return ~Summary.is_draft & ~Summary.is_private


def _newest_first(query: Select[tuple[Summary]], limit: int) -> list[Summary]:
    ordered = query.where(_public()).order_by(Summary.published_at.desc(), Summary.id.desc()).limit(limit)
    return list(db.session.scalars(ordered))


def latest_summaries(limit: int = FEED_SIZE) -> list[Summary]:
    """The newest public summaries."""
    return _newest_first(select(Summary), limit)


def paper_summaries(paper: Paper, limit: int = FEED_SIZE) -> list[Summary]:
    """A paper's newest public summaries."""
    return _newest_first(select(Summary).where(Summary.paper_id == paper.id), limit)


def actor_summaries(actor: Actor, limit: int = FEED_SIZE) -> list[Summary]:
    """An actor's newest public summaries."""
    return _newest_first(select(Summary).where(Summary.author_id == actor.id), limit)


def venue_summaries(venue: Venue, limit: int = FEED_SIZE) -> list[Summary]:
    """The newest public summaries of papers at a venue."""
    papers = select(Paper.id).where(Paper.venue_id == venue.id)
    return _newest_first(select(Summary).where(Summary.paper_id.in_(papers)), limit)


def get_local_actor(public_id: str) -> Actor:
    """The local user's actor with this public id; NotFound otherwise."""
    actor = db.session.scalar(select(Actor).where(Actor.public_id == public_id, Actor.local))
    if actor is None:
        raise NotFound("There is no such user.")
    return actor


def sitemap_sizes() -> dict[SitemapPart, int]:
    """How many addresses each part of the sitemap has."""
    return {
        "site": len(_site_pages()),
        "papers": db.session.scalar(select(func.count()).select_from(_papers_query().subquery())) or 0,
        "summaries": db.session.scalar(select(func.count(Summary.id)).where(_public())) or 0,
        "users": db.session.scalar(select(func.count()).select_from(_users_query().subquery())) or 0,
    }


def sitemap_urls(site: Site, part: SitemapPart, offset: int, limit: int) -> list[SitemapUrl]:
    """One slice of a part of the sitemap, in a stable order."""
    if part == "site":
        newest = db.session.scalar(select(func.max(Summary.published_at)).where(_public()))
        pages = [SitemapUrl(site.url(path), newest if path == "/" else None) for path in _site_pages()]
        return pages[offset:offset + limit]
    query = {"papers": _papers_query, "summaries": _summaries_query, "users": _users_query}[part]()
    prefix = {"papers": "/p/", "summaries": "/s/", "users": "/u/"}[part]
    rows = db.session.execute(query.offset(offset).limit(limit))
    return [SitemapUrl(site.url(prefix + public_id), _latest(*moments)) for public_id, *moments in rows]


def _site_pages() -> list[str]:
    return ["/", "/venues", "/users"]


def _papers_query() -> Select[tuple[str, datetime, datetime]]:
    """Papers with at least one public summary, with their own and their summaries' last change."""
    return (
        select(Paper.public_id, Paper.updated_at, func.max(Summary.updated_at))
        .join(Summary, Summary.paper_id == Paper.id)
        .where(_public())
        .group_by(Paper.id, Paper.public_id, Paper.updated_at)
        .order_by(Paper.id)
    )


def _summaries_query() -> Select[tuple[str, datetime, datetime | None]]:
    return select(Summary.public_id, Summary.updated_at, Summary.published_at).where(_public()).order_by(Summary.id)


def _users_query() -> Select[tuple[str, datetime]]:
    """Local users with at least one public summary, with their newest summary's last change."""
    return (
        select(Actor.public_id, func.max(Summary.updated_at))
        .join(Summary, Summary.author_id == Actor.id)
        .where(Actor.local, _public())
        .group_by(Actor.id, Actor.public_id)
        .order_by(Actor.id)
    )


def _latest(*moments: datetime | None) -> datetime | None:
    known = [moment for moment in moments if moment is not None]
    return max(known) if known else None
