"""Model objects as JSON-ready dicts; absolute URLs from settings.base_url, times in ISO 8601."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import current_app, url_for

from ...comments.models import Comment
from ...papers.models import Paper, PaperLookup
from ...search.results import SearchHit
from ...summaries.models import Summary
from ...users.models import Actor

Json = dict[str, Any]


def absolute(endpoint: str, **values: Any) -> str:
    """The public address of an endpoint on this instance."""
    return current_app.extensions["fediscience.settings"].base_url + url_for(endpoint, **values)


def iso(moment: datetime | date | None) -> str | None:
    """A time or date in ISO 8601, or None."""
    return moment.isoformat() if moment is not None else None


def identifiers(paper: Paper) -> Json:
    """A paper's identifiers by scheme (null when it has none of that scheme)."""
    return {"arxiv": paper.arxiv_id, "doi": paper.doi, "dblp": paper.dblp_key}


def paper_brief(paper: Paper) -> Json:
    """What a summary or a search hit says about its paper."""
    return {
        "id": paper.public_id,
        "url": absolute("papers.show", public_id=paper.public_id),
        "title": paper.title,
        "identifiers": identifiers(paper),
    }


def paper_json(paper: Paper) -> Json:
    """A paper with all its metadata."""
    return {
        **paper_brief(paper),
        "authors": paper.author_names,
        "venue": paper.venue,
        "year": paper.year,
        "published_on": iso(paper.published_on),
        "abstract": paper.abstract,
        "keywords": list(paper.keywords or []),
        "landing_url": paper.landing_url,
        "pdf_url": paper.pdf_url,
        "summary_count": paper.summary_count,
        "summaries_url": absolute("api.paper_summaries", public_id=paper.public_id),
    }


def actor_brief(actor: Actor) -> Json:
    """Who wrote something: id, username, display name and profile address."""
    url = absolute("users.profile", public_id=actor.public_id) if actor.local else actor.profile_url or actor.uri
    return {
        "id": actor.public_id,
        "username": actor.handle,
        "display_name": actor.name,
        "url": url,
    }


def summary_json(summary: Summary, viewer: Actor | None) -> Json:
    """A summary; its share token only for its author."""
    data: Json = {
        "id": summary.public_id,
        "url": absolute("summaries.show", public_id=summary.public_id),
        "paper": paper_brief(summary.paper),
        "author": actor_brief(summary.author),
        "source": summary.source,
        "html": summary.html,
        "draft": summary.is_draft,
        "private": summary.is_private,
        "score": summary.score,
        "upvotes": summary.upvotes,
        "downvotes": summary.downvotes,
        "created_at": iso(summary.created_at),
        "updated_at": iso(summary.updated_at),
        "published_at": iso(summary.published_at),
    }
    if viewer is not None and viewer.id == summary.author_id:
        data["share_token"] = summary.share_token
    return data


def comment_json(comment: Comment, summary_id: str, parent_id: str | None) -> Json:
    """A comment with its summary's and parent's public ids; a deleted one keeps only its place."""
    deleted = comment.is_deleted
    return {
        "id": comment.public_id,
        "url": absolute("comments.show", public_id=comment.public_id),
        "summary": summary_id,
        "parent": parent_id,
        "author": None if deleted else actor_brief(comment.author),
        "source": None if deleted else comment.source,
        "html": None if deleted else comment.html,
        "deleted": deleted,
        "created_at": iso(comment.created_at),
        "edited_at": iso(comment.edited_at),
    }


def lookup_json(lookup: PaperLookup) -> Json:
    """A paper request: pending, done (with its paper) or failed (with the reason)."""
    return {
        "id": lookup.public_id,
        "url": absolute("api.lookup", public_id=lookup.public_id),
        "identifier": f"{lookup.scheme}:{lookup.value}",
        "status": lookup.status,
        "error": lookup.error,
        "paper": paper_json(lookup.paper) if lookup.paper is not None else None,
    }


def hit_json(hit: SearchHit) -> Json:
    """A search hit: its kind, paper, public summary (for summary hits), highlighted snippet and rank."""
    return {
        "kind": hit.kind,
        "rank": hit.rank,
        "snippet_html": hit.snippet_html,
        "paper": paper_brief(hit.paper),
        "summary": summary_json(hit.summary, None) if hit.summary is not None else None,
    }
