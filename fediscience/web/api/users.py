"""Users: public profiles with sciscore and public summaries; /me for the token's own user."""

from __future__ import annotations

from flask import Response, jsonify
from sqlalchemy import select

from ...db import db
from ...summaries.models import Summary
from ...users.models import Actor
from ...users.services import find_user
from ...users.stats import sciscore
from . import bp
from .auth import api_user, require_actor, viewer
from .errors import ApiError
from .serializers import Json, actor_brief, summary_json


@bp.get("/users/<public_id>")
def user(public_id: str) -> Response:
    """A local user's profile by public id."""
    actor = db.session.scalar(select(Actor).where(Actor.public_id == public_id, Actor.local))
    if actor is None:
        raise ApiError(404, "There is no such user.")
    return jsonify(_profile(actor, own=_is_viewer(actor)))


@bp.get("/users/by-name/<username>")
def user_by_name(username: str) -> Response:
    """A local user's profile by username (case-insensitive)."""
    found = find_user(username)
    if found is None:
        raise ApiError(404, "There is no such user.")
    return jsonify(_profile(found.actor, own=_is_viewer(found.actor)))


@bp.get("/me")
def me() -> Response:
    """The token's user: profile with all their summaries (drafts and private ones too) and email."""
    actor = require_actor()
    user = api_user()
    return jsonify({**_profile(actor, own=True), "email": user.email if user else None})


def _is_viewer(actor: Actor) -> bool:
    reader = viewer()
    return reader is not None and reader.id == actor.id


def _profile(actor: Actor, *, own: bool) -> Json:
    """Who the actor is, their sciscore and their summaries: public ones, or all of them for themselves."""
    query = select(Summary).where(Summary.author_id == actor.id)
    if not own:
        query = query.where(~Summary.is_draft, ~Summary.is_private)
    summaries = db.session.scalars(query.order_by(Summary.updated_at.desc(), Summary.id.desc()))
    account = actor.user
    return {
        **actor_brief(actor),
        "bio": actor.bio,
        "avatar_url": actor.avatar_url,
        "orcid": account.orcid if account else None,
        "website": account.website if account else None,
        "created_at": actor.created_at.isoformat(),
        "sciscore": sciscore(actor),
        "summaries": [summary_json(summary, actor if own else None) for summary in summaries],
    }
