"""Atom feeds, the sitemap, robots.txt, and the page metadata helpers that templates call."""

from __future__ import annotations

import math
from collections.abc import Sequence

from flask import Blueprint, Response, abort, current_app, url_for

from ..feeds import FeedInfo, PageMeta, Site, SitemapUrl, build_atom, build_sitemap_index, build_urlset
from ..feeds import paper_meta, profile_meta, summary_meta
from ..feeds import queries
from ..feeds.sitemap import MAX_URLS
from ..papers.models import Paper
from ..papers.page import SummaryView
from ..papers.services import get_paper
from ..summaries.models import Summary
from ..users.models import Actor, User
from ..venues.listing import get_venue

bp = Blueprint("feeds", __name__)
ATOM_MIMETYPE = "application/atom+xml; charset=utf-8"
SITEMAP_MIMETYPE = "application/xml"
SITEMAP_LIMIT = MAX_URLS  # addresses per sitemap file; above it /sitemap.xml becomes an index (tests lower it)


def site() -> Site:
    """The instance as feeds name it, from the settings (never from the request's Host)."""
    settings = current_app.extensions["fediscience.settings"]
    return Site(settings.base_url, settings.site_name)


@bp.route("/feeds/latest.atom")
def latest() -> Response:
    """The latest public summaries."""
    here = site()
    info = FeedInfo(f"{here.site_name}: latest summaries", here.latest_feed_url(), here.url("/"))
    return _atom(info, queries.latest_summaries())


@bp.route("/p/<public_id>/feed.atom")
def paper(public_id: str) -> Response:
    """A paper's public summaries."""
    found, here = get_paper(public_id), site()
    info = FeedInfo(f"Summaries of {found.title} · {here.site_name}", here.paper_feed_url(found), here.paper_url(found))
    return _atom(info, queries.paper_summaries(found))


@bp.route("/u/<public_id>/feed.atom")
def user(public_id: str) -> Response:
    """A local user's public summaries."""
    actor, here = queries.get_local_actor(public_id), site()
    info = FeedInfo(f"Summaries by {actor.name} · {here.site_name}", here.actor_feed_url(actor), here.actor_url(actor))
    return _atom(info, queries.actor_summaries(actor))


@bp.route("/venues/<public_id>/feed.atom")
def venue(public_id: str) -> Response:
    """The public summaries of a venue's papers."""
    found, here = get_venue(public_id), site()
    info = FeedInfo(
        f"Summaries of {found.name} papers · {here.site_name}", here.venue_feed_url(found), here.venue_url(found)
    )
    return _atom(info, queries.venue_summaries(found))


def _atom(info: FeedInfo, summaries: Sequence[Summary]) -> Response:
    return Response(build_atom(site(), info, summaries), mimetype=ATOM_MIMETYPE)


@bp.route("/sitemap.xml")
def sitemap() -> Response:
    """Every public page in one sitemap, or an index of sitemap files when there are too many for one."""
    sizes = queries.sitemap_sizes()
    if sum(sizes.values()) <= SITEMAP_LIMIT:
        urls = [url for part in queries.SITEMAP_PARTS for url in queries.sitemap_urls(site(), part, 0, SITEMAP_LIMIT)]
        return Response(build_urlset(urls), mimetype=SITEMAP_MIMETYPE)
    files = [
        SitemapUrl(site().url(url_for("feeds.sitemap_part", part=part, page=page)))
        for part in queries.SITEMAP_PARTS
        for page in range(1, math.ceil(sizes[part] / SITEMAP_LIMIT) + 1)
    ]
    return Response(build_sitemap_index(files), mimetype=SITEMAP_MIMETYPE)


@bp.route("/sitemaps/<any(site, papers, summaries, users):part>-<int:page>.xml")
def sitemap_part(part: queries.SitemapPart, page: int) -> Response:
    """One file of a large sitemap."""
    if not 1 <= page <= 1_000_000:
        abort(404, description="There is no such sitemap.")
    urls = queries.sitemap_urls(site(), part, (page - 1) * SITEMAP_LIMIT, SITEMAP_LIMIT)
    if not urls:
        abort(404, description="There is no such sitemap.")
    return Response(build_urlset(urls), mimetype=SITEMAP_MIMETYPE)


@bp.route("/robots.txt")
def robots() -> Response:
    """Crawlers: keep out of settings and forms; the sitemap lists what is public."""
    lines = ["User-agent: *", "Disallow: /settings/", "Disallow: /papers/add", "Allow: /", ""]
    lines.append(f"Sitemap: {site().url('/sitemap.xml')}")
    return Response("\n".join(lines) + "\n", mimetype="text/plain")


@bp.app_template_global()
def latest_feed_url() -> str:
    """The absolute address of the latest-summaries feed (for the site-wide <link rel=alternate>)."""
    return site().latest_feed_url()


@bp.app_template_global()
def summary_page_meta(summary: Summary) -> PageMeta:
    """Cards, feeds and JSON-LD for a summary page."""
    return summary_meta(site(), summary)


@bp.app_template_global()
def paper_page_meta(paper: Paper, views: Sequence[SummaryView] = ()) -> PageMeta:
    """Cards, feeds and JSON-LD for a paper page (views: the page's summaries; only public ones are used)."""
    return paper_meta(site(), paper, [view.summary for view in views])


@bp.app_template_global()
def profile_page_meta(actor: Actor, user: User | None) -> PageMeta:
    """Cards, feeds and JSON-LD for a profile page."""
    return profile_meta(site(), actor, user)
