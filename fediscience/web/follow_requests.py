"""Settings → Followers: a locked account approves or rejects its pending follow requests."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

from ..db import db
from ..federation import follow_requests as services
from ..federation.models import Follow
from .auth import current_actor, login_required
from .forms import ActionForm

bp = Blueprint("follow_requests", __name__)


@bp.route("/settings/followers")
@login_required
def index() -> str:
    """The pending follow requests, each with Approve and Reject buttons."""
    actor = current_actor()
    return render_template(
        "settings/followers.html", requests=services.pending_requests(actor), locked=actor.manually_approves_followers
    )


@bp.route("/settings/followers/<int:follow_id>/approve", methods=["POST"])
@login_required
def approve(follow_id: int) -> Response:
    """Approve a request: the follow is accepted and the follower's server gets an `Accept`."""
    follow = _checked_request(follow_id)
    name = follow.follower.handle
    services.accept_follow(follow)
    services.notify(follow, "follow")
    db.session.commit()
    flash(f"{name} now follows you.")
    return redirect(url_for("follow_requests.index"))


@bp.route("/settings/followers/<int:follow_id>/reject", methods=["POST"])
@login_required
def reject(follow_id: int) -> Response:
    """Reject a request: the follow is removed and the follower's server gets a `Reject`."""
    follow = _checked_request(follow_id)
    name = follow.follower.handle
    services.reject_follow(follow)
    db.session.commit()
    flash(f"The request from {name} was rejected.")
    return redirect(url_for("follow_requests.index"))


def _checked_request(follow_id: int) -> Follow:
    if not ActionForm().validate_on_submit():
        abort(400, description="The form was missing its security token.")
    return services.get_request(current_actor(), follow_id)
