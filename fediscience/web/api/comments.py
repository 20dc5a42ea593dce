"""Comments: read a summary's thread, comment or reply, edit and delete one's own."""

from __future__ import annotations

from flask import Response, jsonify
from sqlalchemy import select

from ...comments import services
from ...comments.models import Comment
from ...comments.services import ThreadNode
from ...db import db
from ...errors import Invalid, NotFound
from ...summaries.models import Summary
from ...summaries.services import get_visible_summary
from ...users.models import Actor
from . import bp
from .auth import require_actor, viewer
from .payload import Field, json_body
from .serializers import Json, absolute, comment_json


@bp.get("/summaries/<public_id>/comments")
def summary_comments(public_id: str) -> Response:
    """The summary's comments in thread order, each with its parent's id (deleted ones only above live replies)."""
    found = get_visible_summary(public_id, viewer())
    comments = services.comments_of([found.id])[found.id]
    public_ids = {comment.id: comment.public_id for comment in comments}
    flat: list[Json] = []
    _flatten(services.build_threads(comments), found, public_ids, flat)
    return jsonify({"summary": found.public_id, "comments": flat})


@bp.get("/comments/<public_id>")
def comment(public_id: str) -> Response:
    """One comment of a summary the caller may read."""
    found = services.get_comment(public_id)
    summary = get_visible_summary(found.summary_public_id, viewer())
    return jsonify(_json(found, summary))


@bp.post("/summaries/<public_id>/comments")
def create_comment(public_id: str) -> tuple[Response, int, dict[str, str]]:
    """Comment on a public summary, or reply to one of its comments with "parent": 201."""
    actor = require_actor()
    summary = get_visible_summary(public_id, actor)
    body = json_body({"source": Field(str, required=True), "parent": Field(str, nullable=True)})
    parent = _parent(body.get("parent"))
    created = services.add_comment(actor, summary, body["source"], parent)
    db.session.commit()
    headers = {"Location": absolute("api.comment", public_id=created.public_id)}
    return jsonify(_json(created, summary)), 201, headers


@bp.patch("/comments/<public_id>")
def edit_comment(public_id: str) -> Response:
    """Change one's comment."""
    actor = require_actor()
    found = _changeable(public_id, actor)
    body = json_body({"source": Field(str, required=True)})
    services.edit_comment(found, actor, body["source"])
    db.session.commit()
    return jsonify(_json(found, found.summary))


@bp.delete("/comments/<public_id>")
def delete_comment(public_id: str) -> tuple[str, int]:
    """Delete one's comment (a placeholder stays while it has replies)."""
    actor = require_actor()
    services.delete_comment(_changeable(public_id, actor), actor)
    db.session.commit()
    return "", 204


def _changeable(public_id: str, actor: Actor) -> Comment:
    """The comment, if it exists for this actor: others' comments on summaries they cannot read are a 404."""
    found = services.get_comment(public_id)
    if found.author_id != actor.id:
        get_visible_summary(found.summary_public_id, actor)
    return found


def _parent(public_id: str | None) -> Comment | None:
    if public_id is None:
        return None
    try:
        return services.get_comment(public_id)
    except NotFound:
        raise Invalid(f"There is no comment {public_id!r} to reply to.", field="parent") from None


def _json(found: Comment, summary: Summary) -> Json:
    parent_id = None
    if found.parent_id is not None:
        parent_id = db.session.scalar(select(Comment.public_id).where(Comment.id == found.parent_id))
    return comment_json(found, summary.public_id, parent_id)


def _flatten(nodes: list[ThreadNode], summary: Summary, public_ids: dict[int, str], out: list[Json]) -> None:
    for node in nodes:
        parent = public_ids.get(node.comment.parent_id) if node.comment.parent_id else None
        out.append(comment_json(node.comment, summary.public_id, parent))
        _flatten(node.replies, summary, public_ids, out)
