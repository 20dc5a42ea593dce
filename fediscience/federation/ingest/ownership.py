"""Only the owner can change an object: the checks every Create, Update and Delete passes before its handler."""

from __future__ import annotations

from sqlalchemy import select

from ...activitypub.parse import IncomingActivity, attributed_to, is_actor
from ...db import db
from ...users.models import Actor
from .context import Rejected, same_origin


def check_ownership(activity: IncomingActivity) -> None:
    """Raise Rejected if the activity changes an object its actor does not own."""
    if activity.type == "Create":
        _check_origin_and_author(activity, require_author=False)
    elif activity.type == "Update":
        _check_origin_and_author(activity, require_author=activity.object_id != activity.actor)
        _check_not_another_actor(activity)
    elif activity.type == "Delete":
        _check_origin_and_author(activity, require_author=False)
        _check_not_another_actor(activity)


def _check_origin_and_author(activity: IncomingActivity, *, require_author: bool) -> None:
    object_id = activity.object_id
    if object_id is None:
        raise Rejected(f"the {activity.type} has no object id")
    if not same_origin(object_id, activity.actor):
        raise Rejected(f"the object {object_id} is not on the host of its actor {activity.actor}")
    obj = activity.object if isinstance(activity.object, dict) else None
    author = attributed_to(obj) if obj is not None else None
    if author is not None and author != activity.actor:
        raise Rejected(f"the object is attributed to {author}, not to the activity's actor {activity.actor}")
    if author is None and require_author and not is_actor(obj):
        raise Rejected(f"the {activity.type}d object has no attributedTo")


def _check_not_another_actor(activity: IncomingActivity) -> None:
    object_id = activity.object_id
    if object_id == activity.actor:
        return
    other = db.session.scalar(select(Actor.id).where(Actor.uri == object_id))
    if other is not None or is_actor(activity.object):
        raise Rejected(f"{activity.actor} cannot {activity.type.lower()} another actor ({object_id})")
