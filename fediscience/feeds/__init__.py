"""Atom feeds, the sitemap and page metadata (OpenGraph, JSON-LD) for public summaries, papers and users."""

from .atom import FeedInfo, build_atom
from .pagemeta import PageMeta, paper_meta, profile_meta, summary_meta
from .site import Site
from .sitemap import SitemapUrl, build_sitemap_index, build_urlset

__all__ = [
    "FeedInfo", "PageMeta", "Site", "SitemapUrl", "build_atom", "build_sitemap_index", "build_urlset",
    "paper_meta", "profile_meta", "summary_meta",
]
