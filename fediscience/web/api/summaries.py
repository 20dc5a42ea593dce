"""Summaries: read (public, own, or private with ?share=), write, edit and delete one's own."""

from __future__ import annotations

from flask import Response, jsonify, request

from ...db import db
from ...papers.services import get_paper
from ...summaries import services
from . import bp
from .auth import require_actor, viewer
from .payload import Field, json_body
from .serializers import absolute, summary_json

_FLAGS = {"draft": Field(bool), "private": Field(bool)}


@bp.get("/summaries/<public_id>")
def summary(public_id: str) -> Response:
    """A summary the caller may read: public, their own, or private with the share token in ?share=."""
    reader = viewer()
    return jsonify(summary_json(services.get_visible_summary(public_id, reader, request.args.get("share")), reader))


@bp.post("/papers/<public_id>/summaries")
def create_summary(public_id: str) -> tuple[Response, int, dict[str, str]]:
    """Write the caller's summary of a paper (one per paper): 201, 409 if they already have one."""
    actor = require_actor()
    paper = get_paper(public_id)
    body = json_body({"source": Field(str, required=True), **_FLAGS})
    created = services.create_summary(
        actor, paper, body["source"], draft=body.get("draft", False), private=body.get("private", False)
    )
    db.session.commit()
    data = summary_json(created, actor)
    return jsonify(data), 201, {"Location": absolute("api.summary", public_id=created.public_id)}


@bp.patch("/summaries/<public_id>")
def edit_summary(public_id: str) -> Response:
    """Change the source, draft or private flag of one's summary (fields left out stay as they are)."""
    actor = require_actor()
    found = services.get_visible_summary(public_id, actor)
    body = json_body({"source": Field(str), **_FLAGS})
    services.edit_summary(
        found, actor, body.get("source", found.source),
        draft=body.get("draft", found.is_draft), private=body.get("private", found.is_private),
    )
    db.session.commit()
    return jsonify(summary_json(found, actor))


@bp.delete("/summaries/<public_id>")
def delete_summary(public_id: str) -> tuple[str, int]:
    """Delete one's summary with its revisions, votes and comments."""
    actor = require_actor()
    services.delete_summary(services.get_visible_summary(public_id, actor), actor)
    db.session.commit()
    return "", 204

