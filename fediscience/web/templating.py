"""Helpers available in every template."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from flask import Flask, url_for

from ..papers.citation import citation
from ..users.models import Actor
from ..notifications.services import unread_count
from .auth import current_user
from .forms import LogoutForm


def actor_url(actor: Actor) -> str:
    """The page of an actor: our profile page, or the remote profile."""
    if actor.local:
        return url_for("users.profile", public_id=actor.public_id)
    return actor.profile_url or actor.uri or "#"


def avatar_url(actor: Actor) -> str:
    """The avatar to show for an actor (uploaded, Gravatar or remote), or the default picture."""
    return actor.avatar_url or url_for("static", filename="avatar.svg")


def timeago(moment: datetime | None) -> str:
    """A short relative time: '3 days ago'."""
    if moment is None:
        return ""
    seconds = int((datetime.now(timezone.utc) - moment).total_seconds())
    for unit, size in (("year", 31_536_000), ("month", 2_592_000), ("day", 86_400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'s' if count > 1 else ''} ago"
    return "just now"


def register_template_helpers(app: Flask) -> None:
    """Expose the helpers and the current user to templates."""

    @app.context_processor
    def inject() -> dict[str, Any]:
        user = current_user()
        return {
            "current_user": user,
            "unread_notifications": unread_count(user.actor) if user else 0,
            "logout_form": LogoutForm(formdata=None),
            "site_name": app.extensions["fediscience.settings"].site_name,
        }

    app.jinja_env.globals.update(actor_url=actor_url, avatar_url=avatar_url, citation=citation)
    app.jinja_env.filters["timeago"] = timeago
