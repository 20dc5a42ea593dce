"""Absolute addresses of public pages and feeds, built from the instance's base URL (never the request's host)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from urllib.parse import quote

from ..papers.models import Paper
from ..summaries.models import Summary
from ..users.models import Actor
from ..venues.models import Venue


@dataclass(frozen=True)
class Site:
    """The instance as feeds and metadata name it: its public base URL and its name."""

    base_url: str
    site_name: str

    def url(self, path: str) -> str:
        """The absolute URL of a path on this instance."""
        return self.base_url + path

    def summary_url(self, summary: Summary) -> str:
        """The permanent page of a summary."""
        return self.url(f"/s/{quote(summary.public_id)}")

    def paper_url(self, paper: Paper) -> str:
        """The permanent page of a paper."""
        return self.url(f"/p/{quote(paper.public_id)}")

    def actor_url(self, actor: Actor) -> str | None:
        """A local user's profile here, or a remote account's own page (None when it has none)."""
        if actor.local:
            return self.url(f"/u/{quote(actor.public_id)}")
        return actor.profile_url or actor.uri

    def venue_url(self, venue: Venue) -> str:
        """The page of a venue."""
        return self.url(f"/venues/{quote(venue.public_id)}")

    def latest_feed_url(self) -> str:
        """The feed of the latest public summaries."""
        return self.url("/feeds/latest.atom")

    def paper_feed_url(self, paper: Paper) -> str:
        """The feed of a paper's public summaries."""
        return self.paper_url(paper) + "/feed.atom"

    def actor_feed_url(self, actor: Actor) -> str:
        """The feed of a local user's public summaries."""
        return self.url(f"/u/{quote(actor.public_id)}/feed.atom")

    def venue_feed_url(self, venue: Venue) -> str:
        """The feed of the public summaries of a venue's papers."""
        return self.venue_url(venue) + "/feed.atom"


def summary_title(summary: Summary) -> str:
    """How feeds and cards name a summary: 'Summary of <paper title> by <author>'."""
    return f"Summary of {summary.paper.title} by {summary.author.name}"


def published(summary: Summary) -> datetime:
    """When the summary became public (its creation time for rows from before that was recorded)."""
    return summary.published_at or summary.created_at


def updated(summary: Summary) -> datetime:
    """The summary's last change, never earlier than its publication."""
    return max(summary.updated_at, published(summary))


def iso(moment: datetime) -> str:
    """An ISO 8601 time in UTC to the second, as cards and JSON-LD show it."""
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")
