"""Paged OrderedCollections: followers, following, replies, likes, shares (outboxes are in `outboxes`).

A collection answers `{id, type: OrderedCollection, totalItems, first, last}`; `?page=N` answers the page
`{id: <collection>?page=N, type: OrderedCollectionPage, partOf, orderedItems, next, prev, startIndex}`.
PAGE_SIZE items a page; replies use REPLIES_PAGE_SIZE, so that the first page embedded in a Note (Mastodon reads
at most five replies from it) is the same document as `?page=1`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.sql import ColumnElement

from ..activitypub import vocab
from ..boosts.models import Boost
from ..comments.models import Comment
from ..db import db
from ..summaries.models import Summary
from ..users.models import Actor
from ..votes.models import Vote
from .models import Follow
from .urls import actor_url, comment_url, followers_url, following_url, summary_url

PAGE_SIZE = 20
REPLIES_PAGE_SIZE = 5
MAX_PAGE = 1_000_000

Fetch = Callable[[int, int], Sequence[Any]]


class BadPage(ValueError):
    """The `page` query argument is not a page number."""


def page_number(raw: str | None) -> int | None:
    """The `?page=` argument: None when absent, a number from 1; BadPage otherwise."""
    if raw is None:
        return None
    if not raw.isdigit() or not 0 < int(raw) <= MAX_PAGE:
        raise BadPage("page must be a whole number from 1")
    return int(raw)


def last_page(total: int, page_size: int = PAGE_SIZE) -> int:
    """The number of the last page (1 for an empty collection)."""
    return max(1, -(-total // page_size))


def page_id(collection_id: str, page: int) -> str:
    """The id of one page of a collection."""
    return f"{collection_id}?page={page}"


def collection_page(
    collection_id: str, total: int, page: int, fetch: Fetch, *, page_size: int = PAGE_SIZE, context: bool = True
) -> dict[str, Any] | None:
    """One OrderedCollectionPage (items from `fetch(offset, limit)`), or None beyond the last page."""
    last = last_page(total, page_size)
    if page > last:
        return None
    offset = (page - 1) * page_size
    doc = vocab.OrderedCollectionPage(
        context=vocab.AS_CONTEXT if context else None, id=page_id(collection_id, page), part_of=collection_id,
        total_items=total, ordered_items=list(fetch(offset, page_size)), start_index=offset,
        next=page_id(collection_id, page + 1) if page < last else None,
        prev=page_id(collection_id, page - 1) if page > 1 else None,
    )
    return doc.to_json()


def collection(
    collection_id: str, total: int, page: int | None, fetch: Fetch, *, page_size: int = PAGE_SIZE,
    context: bool = True, inline_first: bool = False,
) -> dict[str, Any] | None:
    """The collection (page None) or one of its pages; None for a page beyond the last.

    `inline_first` embeds the first page instead of linking it (for a Note's `replies`).
    """
    if page is not None and not inline_first:
        return collection_page(collection_id, total, page, fetch, page_size=page_size, context=context)
    last = last_page(total, page_size)
    first: Any = page_id(collection_id, 1)
    if inline_first:
        first = collection_page(collection_id, total, 1, fetch, page_size=page_size, context=False)
    doc = vocab.OrderedCollection(
        context=vocab.AS_CONTEXT if context else None, id=collection_id, total_items=total, first=first,
        last=page_id(collection_id, last),
    )
    return doc.to_json()


def _count(*conditions: ColumnElement[bool], of: Any) -> int:
    return db.session.scalar(select(func.count()).select_from(of).where(*conditions)) or 0


# Followers and following ---------------------------------------------------------------------------------------


def _follows(column: Any, actor: Actor, pick: Callable[[Follow], Actor]) -> tuple[int, Fetch]:
    conditions = (column == actor.id, Follow.state == "accepted")

    def fetch(offset: int, limit: int) -> list[str]:
        query = select(Follow).where(*conditions).order_by(Follow.accepted_at.desc(), Follow.id.desc())
        return [actor_url(pick(row)) for row in db.session.scalars(query.offset(offset).limit(limit))]

    return _count(*conditions, of=Follow), fetch


def followers_collection(actor: Actor, page: int | None = None) -> dict[str, Any] | None:
    """The actor's followers (accepted follows; newest first) as actor ids."""
    total, fetch = _follows(Follow.followee_id, actor, lambda row: row.follower)
    return collection(followers_url(actor), total, page, fetch)


def following_collection(actor: Actor, page: int | None = None) -> dict[str, Any] | None:
    """The accounts the actor follows (accepted follows; newest first) as actor ids."""
    total, fetch = _follows(Follow.follower_id, actor, lambda row: row.followee)
    return collection(following_url(actor), total, page, fetch)


def empty_collection(collection_id: str, page: int | None = None) -> dict[str, Any] | None:
    """A collection with nothing in it yet (a paper's followers, the instance actor's outbox)."""
    return collection(collection_id, 0, page, lambda offset, limit: [])


# Replies, likes and shares --------------------------------------------------------------------------------------


def replies_of(target: Summary | Comment) -> tuple[ColumnElement[bool], ...]:
    """The conditions selecting the direct, not deleted replies of a summary or a comment."""
    if isinstance(target, Summary):
        return (Comment.summary_id == target.id, Comment.parent_id.is_(None), Comment.deleted_at.is_(None))
    return (Comment.parent_id == target.id, Comment.deleted_at.is_(None))


def replies_id(target: Summary | Comment) -> str:
    """The id of a summary's or a comment's replies collection."""
    base = summary_url(target) if isinstance(target, Summary) else comment_url(target)
    return f"{base}/replies"


def replies_collection(
    target: Summary | Comment, page: int | None = None, *, embedded: bool = False
) -> dict[str, Any] | None:
    """The direct replies (comment ids, local and remote; oldest first); `embedded` inlines the first page."""
    conditions = replies_of(target)

    def fetch(offset: int, limit: int) -> list[str]:
        query = select(Comment).where(*conditions).order_by(Comment.created_at, Comment.id)
        return [comment_url(comment) for comment in db.session.scalars(query.offset(offset).limit(limit))]

    total = _count(*conditions, of=Comment)
    return collection(
        replies_id(target), total, page, fetch, page_size=REPLIES_PAGE_SIZE, context=not embedded,
        inline_first=embedded,
    )


def like_id(vote: Vote, voter: Actor) -> str:
    """The id of the Like behind a +1 vote: the received activity's id, or `<voter>#likes/<vote id>` for ours."""
    return vote.uri or f"{actor_url(voter)}#likes/{vote.id}"


def likes_collection(
    target: Summary | Comment, page: int | None = None, *, embedded: bool = False
) -> dict[str, Any] | None:
    """The +1 votes of a summary as Like ids (newest first); `embedded` gives only id, type and totalItems.

    Comments cannot be voted on: theirs is always empty.
    """
    if isinstance(target, Comment):
        return _empty(f"{comment_url(target)}/likes", page, embedded=embedded)
    conditions = (Vote.summary_id == target.id, Vote.value == 1)

    def fetch(offset: int, limit: int) -> list[str]:
        query = select(Vote, Actor).join(Actor, Vote.actor_id == Actor.id).where(*conditions)
        rows = db.session.execute(query.order_by(Vote.created_at.desc(), Vote.id.desc()).offset(offset).limit(limit))
        return [like_id(vote, voter) for vote, voter in rows]

    return _counted(f"{summary_url(target)}/likes", _count(*conditions, of=Vote), page, fetch, embedded=embedded)


def shares_collection(
    target: Summary | Comment, page: int | None = None, *, embedded: bool = False
) -> dict[str, Any] | None:
    """The boosts of a summary as the ids of their Announces (newest first); `embedded` as for likes.

    Boosts of comments are not recorded: theirs is always empty.
    """
    if isinstance(target, Comment):
        return _empty(f"{comment_url(target)}/shares", page, embedded=embedded)
    condition = Boost.summary_id == target.id

    def fetch(offset: int, limit: int) -> list[str]:
        query = select(Boost.uri).where(condition).order_by(Boost.created_at.desc(), Boost.id.desc())
        return list(db.session.scalars(query.offset(offset).limit(limit)))

    return _counted(f"{summary_url(target)}/shares", _count(condition, of=Boost), page, fetch, embedded=embedded)


def _counted(
    collection_id: str, total: int, page: int | None, fetch: Fetch, *, embedded: bool
) -> dict[str, Any] | None:
    """A collection, or (embedded in a Note) just its id, type and totalItems (what Mastodon counts)."""
    if embedded:
        return vocab.OrderedCollection(id=collection_id, total_items=total).to_json()
    return collection(collection_id, total, page, fetch)


def _empty(collection_id: str, page: int | None, *, embedded: bool) -> dict[str, Any] | None:
    return _counted(collection_id, 0, page, lambda offset, limit: [], embedded=embedded)
