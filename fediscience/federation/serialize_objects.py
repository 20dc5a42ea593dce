"""Objects: a summary as a `Note` (full text, per issue 4 item 4), a comment as a reply `Note`, tombstones.

A summary Note: `content` = `<p><strong>title</strong></p><p>citation</p>` + the stored HTML (MathML with its TeX,
FEP-dc88); `name`, `url`, `published`, `updated` (the last text edit after publication), `attributedTo`,
`to: [Public]`, `cc: [followers]`, `source` (Markdown), `audience` (the paper's Group), `paper` (our context:
title, authors, venue, year, doi, arxiv, dblp), Hashtags for the paper's keywords, up to four images of the body as
attachments (Mastodon strips <img>), and `replies` / `likes` / `shares` collections. Never a `summary` (Mastodon
shows it as a content warning) and never `inReplyTo` (Mastodon's home feed hides replies to unknown posts).
Maths: Mastodon 4.2 and 4.3 drop `<math>` with its contents; 4.4 shows the TeX of the annotation as `$…$`;
FediScience peers re-render `source`.
"""

from __future__ import annotations

import mimetypes
from datetime import datetime
from html.parser import HTMLParser
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

from markupsafe import escape
from sqlalchemy import func, select

from ..activitypub import PUBLIC, vocab
from ..activitypub.hashtags import hashtag_name
from ..comments.models import Comment
from ..db import db
from ..papers.citation import citation
from ..papers.models import Paper
from ..summaries.models import Summary, SummaryRevision
from ..users.models import Actor
from .collections import likes_collection, replies_collection, shares_collection
from .context import object_context
from .urls import actor_url, base_url, comment_url, followers_url, paper_url, summary_note_id, summary_url

MAX_ATTACHMENTS = 4  # Mastodon's MEDIA_ATTACHMENTS_LIMIT
_UNSET: Any = object()


def paper_citation(paper: Paper) -> str:
    """The one-line citation pages show (see papers.citation)."""
    return citation(paper)


def paper_identifiers(paper: Paper) -> dict[str, str]:
    """The paper's identifiers under our context: `doi`, `arxiv` (no version), `dblp`; absent ones left out."""
    pairs = (("doi", paper.doi), ("arxiv", paper.arxiv_id), ("dblp", paper.dblp_key))
    return {name: value for name, value in pairs if value}


def paper_properties(paper: Paper) -> dict[str, Any]:
    """The paper's metadata under our context: title, authors, venue, year and the identifiers."""
    props: dict[str, Any] = {"title": paper.title}
    if paper.author_names:
        props["authors"] = paper.author_names
    if paper.venue:
        props["venue"] = paper.venue
    if paper.year:
        props["year"] = paper.year
    return {**props, **paper_identifiers(paper)}


def paper_node(paper: Paper) -> dict[str, Any]:
    """The `paper` of a Note: a `Paper` node whose id is the paper's page (its Group actor)."""
    return {"type": "Paper", "id": paper_url(paper), **paper_properties(paper)}


def hashtags(paper: Paper) -> list[dict[str, Any]]:
    """Hashtag tags for the paper's keywords (`cs.LG` → `#csLG`), linking to our search for the keyword."""
    tags, seen = [], set()
    for keyword in paper.keywords if isinstance(paper.keywords, list) else []:
        name = hashtag_name(keyword) if isinstance(keyword, str) else None
        if name is None or name.casefold() in seen:
            continue
        seen.add(name.casefold())
        href = f"{base_url()}/search?q={quote(keyword, safe='')}"
        tags.append(vocab.Hashtag(name=f"#{name}", href=href).to_json())
    return tags


class _ImageFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.images: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img":
            values = dict(attrs)
            if values.get("src"):
                self.images.append((values["src"] or "", values.get("alt") or ""))


def image_attachments(html: str, limit: int = MAX_ATTACHMENTS) -> list[dict[str, Any]]:
    """The images of rendered HTML as attachments (absolute http(s) URLs, de-duplicated, at most `limit`)."""
    finder = _ImageFinder()
    finder.feed(html)
    attachments, seen = [], set()
    for src, alt in finder.images:
        url = urljoin(base_url() + "/", src.strip())
        if urlsplit(url).scheme not in ("http", "https") or url in seen:
            continue
        seen.add(url)
        media_type = mimetypes.guess_type(urlsplit(url).path)[0]
        kind = vocab.Image if media_type and media_type.startswith("image/") else vocab.Document
        attachments.append(kind(url=url, media_type=media_type, name=alt or None).to_json())
        if len(attachments) == limit:
            break
    return attachments


def summary_edited_at(summary: Summary) -> datetime | None:
    """When the text was last edited after publication (the newest revision after `published_at`), or None."""
    if summary.published_at is None:
        return None
    newest = db.session.scalar(
        select(func.max(SummaryRevision.created_at)).where(
            SummaryRevision.summary_id == summary.id, SummaryRevision.number > 1
        )
    )
    return newest if newest is not None and newest > summary.published_at else None


def summary_content(summary: Summary) -> str:
    """The Note's HTML: the paper's title and citation line, then the summary's body."""
    paper = summary.paper
    head = f"<p><strong>{escape(paper.title)}</strong></p>"
    citation = paper_citation(paper)
    if citation:
        head += f"<p>{escape(citation)}</p>"
    return head + summary.html


def summary_note(summary: Summary, *, edited_at: datetime | None = _UNSET, context: bool = True) -> dict[str, Any]:
    """A local public summary as a `Note` (with @context unless `context=False`, for embedding)."""
    url = summary_url(summary)
    if edited_at is _UNSET:
        edited_at = summary_edited_at(summary)
    note = vocab.Note(
        context=object_context() if context else None, id=summary_note_id(summary), name=f"Summary of {summary.paper.title}",
        content=summary_content(summary), url=url, attributed_to=actor_url(summary.author),
        to=[PUBLIC], cc=[followers_url(summary.author)], published=summary.published_at or summary.created_at,
        updated=edited_at, source=vocab.Source(content=summary.source), audience=paper_url(summary.paper),
        tag=hashtags(summary.paper), attachment=image_attachments(summary.html), sensitive=False,
        replies=replies_collection(summary, page=1, embedded=True), likes=likes_collection(summary, embedded=True),
        shares=shares_collection(summary, embedded=True), extra={"paper": paper_node(summary.paper)},
    )
    return note.to_json()


def mention_name(actor: Actor) -> str:
    """`@user@host` for a Mention tag (our host for local actors)."""
    from .serialize_actors import local_host

    return f"@{actor.username}@{local_host() if actor.local else actor.domain}"


def mention_link(actor: Actor) -> str:
    """Mastodon's markup for a mention (its `TextFormatter`, 4.2+): an h-card around a `u-url mention` link to the
    profile; Mastodon's sanitiser and ours keep the classes, so Mastodon shows it as a mention link."""
    profile = actor_url(actor) if actor.local else actor.profile_url or actor_url(actor)
    return (f'<span class="h-card" translate="no"><a href="{escape(profile)}" class="u-url mention">'
            f"@<span>{escape(actor.username)}</span></a></span>")


def with_mention(html: str, actor: Actor) -> str:
    """The comment's HTML with a mention of `actor` first, inside its first paragraph as Mastodon writes replies."""
    if html.startswith("<p>"):
        return f"<p>{mention_link(actor)} {html[3:]}"
    return f"<p>{mention_link(actor)}</p>{html}"


def comment_parent(comment: Comment) -> tuple[str, Actor]:
    """What a comment replies to: the parent comment's id and author, or the summary's."""
    if comment.parent_id is not None:
        parent = db.session.get(Comment, comment.parent_id)
        if parent is not None:
            return comment_url(parent), parent.author
    return summary_note_id(comment.summary), comment.summary.author


def comment_note(comment: Comment, *, context: bool = True) -> dict[str, Any]:
    """A local comment as a reply `Note`: inReplyTo, a Mention of the replied-to author, who is in `cc` with the
    summary's author (inReplyTo and these ids are the remote ones when replying to a remote summary or comment).

    The `content` starts with the visible @mention of whoever the Mention tag names, as Mastodon writes every
    mention it notifies; our own page shows the comment without it.
    """
    url = comment_url(comment)
    in_reply_to, parent_author = comment_parent(comment)
    cc = [followers_url(comment.author)]
    tags = []
    content = comment.html
    if parent_author.id != comment.author_id:
        cc.append(actor_url(parent_author))
        tags.append(vocab.Mention(href=actor_url(parent_author), name=mention_name(parent_author)).to_json())
        content = with_mention(content, parent_author)
    summary_author = comment.summary.author
    if summary_author.id not in (comment.author_id, parent_author.id):
        # Mastodon keeps a delivered reply only if related to a local account (`related_to_local_activity?`):
        # addressing the summary's author keeps replies to a third party's comment in the summary's thread.
        cc.append(actor_url(summary_author))
    note = vocab.Note(
        context=object_context() if context else None, id=url, content=content, url=url,
        attributed_to=actor_url(comment.author), in_reply_to=in_reply_to, to=[PUBLIC], cc=cc,
        published=comment.created_at, updated=comment.edited_at, source=vocab.Source(content=comment.source),
        audience=paper_url(comment.summary.paper), tag=tags, sensitive=False,
        replies=replies_collection(comment, page=1, embedded=True), likes=likes_collection(comment, embedded=True),
        shares=shares_collection(comment, embedded=True),
    )
    return note.to_json()


def tombstone(uri: str, former_type: str, deleted: datetime | None) -> dict[str, Any]:
    """What a deleted object's id answers (with 410): a `Tombstone`."""
    return vocab.Tombstone(
        context=vocab.AS_CONTEXT, id=uri, former_type=former_type, deleted=deleted
    ).to_json()
