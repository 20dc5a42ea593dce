"""Writing, editing and deleting threaded comments, and building threads for display."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import select

from ..db import db, utcnow
from ..errors import Forbidden, Invalid, NotFound
from ..signals import comment_added, comment_deleted, comment_edited
from ..summaries.models import Summary
from ..text import render_markdown
from ..users.models import Actor
from .models import Comment


@dataclass
class ThreadNode:
    """A comment and its replies, for display."""

    comment: Comment
    replies: list["ThreadNode"] = field(default_factory=list)


def render_comment_source(source: str) -> str:
    """Check a comment's Markdown source and render it (maths yes, images no)."""
    settings = current_app.extensions["fediscience.settings"]
    if not source.strip():
        raise Invalid("A comment cannot be empty.", field="source")
    if len(source.encode("utf-8")) > settings.max_comment_bytes:
        raise Invalid(f"Comments are limited to {settings.max_comment_bytes // 1000} KB.", field="source")
    return render_markdown(source, allow_images=False, paper_link_prefix=settings.base_url + "/papers")


def add_comment(author: Actor, summary: Summary, source: str, parent: Comment | None = None) -> Comment:
    """Comment on a public summary, or reply to one of its comments."""
    if not summary.is_public:
        raise Forbidden("Only published public summaries can be discussed.")
    if parent is not None and (parent.summary_id != summary.id or parent.is_deleted):
        raise Invalid("You can only reply to a comment of this summary that still exists.", field="parent")
    comment = Comment(
        summary_id=summary.id, parent_id=parent.id if parent else None, author=author,
        source=source, html=render_comment_source(source),
    )
    db.session.add(comment)
    db.session.flush()
    comment_added.send(comment=comment, summary=summary, parent=parent)
    return comment


def edit_comment(comment: Comment, editor: Actor, source: str) -> Comment:
    """Change one's own comment."""
    _check_owner(comment, editor)
    if comment.is_deleted:
        raise Invalid("This comment was deleted.")
    comment.html = render_comment_source(source)
    comment.source = source
    comment.edited_at = utcnow()
    db.session.flush()
    comment_edited.send(comment=comment)
    return comment


def delete_comment(comment: Comment, actor: Actor) -> None:
    """Delete one's own comment; its row stays as a placeholder so that replies keep their place."""
    _check_owner(comment, actor)
    if comment.is_deleted:
        return
    comment.source, comment.html, comment.deleted_at = "", "", utcnow()
    db.session.flush()
    comment_deleted.send(comment=comment)


def get_comment(public_id: str) -> Comment:
    """The comment with this public id; NotFound otherwise."""
    comment = db.session.scalar(select(Comment).where(Comment.public_id == public_id))
    if comment is None:
        raise NotFound("There is no such comment.")
    return comment


def comments_of(summary_ids: list[int]) -> dict[int, list[Comment]]:
    """All comments of the given summaries in one query, grouped by summary id, oldest first."""
    if not summary_ids:
        return {}
    query = select(Comment).where(Comment.summary_id.in_(summary_ids)).order_by(Comment.created_at, Comment.id)
    grouped: dict[int, list[Comment]] = {summary_id: [] for summary_id in summary_ids}
    for comment in db.session.scalars(query):
        grouped[comment.summary_id].append(comment)
    return grouped


def build_threads(comments: list[Comment]) -> list[ThreadNode]:
    """Arrange comments as threads; deleted comments stay only as placeholders above live replies."""
    nodes = {comment.id: ThreadNode(comment) for comment in comments}
    roots: list[ThreadNode] = []
    for comment in comments:
        parent = nodes.get(comment.parent_id) if comment.parent_id else None
        (parent.replies if parent else roots).append(nodes[comment.id])
    return _prune(roots)


def visible_count(threads: list[ThreadNode]) -> int:
    """The number of comments shown (placeholders excluded)."""
    return sum((0 if node.comment.is_deleted else 1) + visible_count(node.replies) for node in threads)


def _prune(nodes: list[ThreadNode]) -> list[ThreadNode]:
    kept = []
    for node in nodes:
        node.replies = _prune(node.replies)
        if not node.comment.is_deleted or node.replies:
            kept.append(node)
    return kept


def _check_owner(comment: Comment, actor: Actor) -> None:
    if comment.author_id != actor.id:
        raise Forbidden("Only the author can change this comment.")
