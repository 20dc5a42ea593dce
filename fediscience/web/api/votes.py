"""Votes: +1 or -1 on someone else's public summary, changed by voting again, withdrawn by DELETE."""

from __future__ import annotations

from flask import Response, jsonify

from ...db import db
from ...summaries.models import Summary
from ...summaries.services import get_visible_summary
from ...votes.services import cast_vote, remove_vote
from . import bp
from .auth import require_actor
from .payload import Field, json_body


@bp.put("/summaries/<public_id>/vote")
def vote(public_id: str) -> Response:
    """Cast or change the caller's vote: {"value": 1} or {"value": -1}."""
    actor = require_actor()
    summary = get_visible_summary(public_id, actor)
    body = json_body({"value": Field(int, required=True)})
    cast_vote(actor, summary, body["value"])
    db.session.commit()
    return jsonify(_tally(summary, body["value"]))


@bp.delete("/summaries/<public_id>/vote")
def unvote(public_id: str) -> tuple[str, int]:
    """Withdraw the caller's vote, if any."""
    actor = require_actor()
    remove_vote(actor, get_visible_summary(public_id, actor))
    db.session.commit()
    return "", 204


def _tally(summary: Summary, value: int) -> dict[str, object]:
    return {
        "summary": summary.public_id,
        "vote": value,
        "score": summary.score,
        "upvotes": summary.upvotes,
        "downvotes": summary.downvotes,
    }
