"""Following accounts (local and remote), actor pages, the home feed and notifications."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from ..comments.models import Comment
from ..db import db
from ..errors import DomainError
from ..federation.following import follow, followed_ids, following_row, unfollow
from ..notifications.services import mark_all_read, notifications_for
from ..summaries.models import Summary
from ..users.models import Actor
from .auth import current_actor, login_required
from .forms import ActionForm

bp = Blueprint("social", __name__)
FEED_SIZE = 30


def get_actor(public_id: str) -> Actor:
    """The actor with this public id, or a 404 page."""
    actor = db.session.scalar(select(Actor).where(Actor.public_id == public_id))
    if actor is None or actor.actor_type == "Application":
        abort(404, description="There is no such account.")
    return actor


@bp.route("/actors/<public_id>")
def actor_page(public_id: str) -> Response | str:
    """A remote account as we know it: profile and recent public posts (local users have their own page)."""
    actor = get_actor(public_id)
    if actor.local:
        return redirect(url_for("users.profile", public_id=actor.public_id))
    summaries = db.session.scalars(
        select(Summary).where(Summary.author_id == actor.id, ~Summary.is_draft, ~Summary.is_private)
        .order_by(Summary.published_at.desc()).limit(20)
    ).all()
    comments = db.session.scalars(
        select(Comment).where(Comment.author_id == actor.id, Comment.deleted_at.is_(None))
        .order_by(Comment.created_at.desc()).limit(20)
    ).all()
    return render_template(
        "social/actor.html", actor=actor, summaries=summaries, comments=comments,
        follow_state=follow_state_of(actor), action_form=ActionForm(),
    )


@bp.route("/actors/<public_id>/follow", methods=["POST"])
@login_required
def follow_actor(public_id: str) -> Response:
    """Follow an account."""
    actor = get_actor(public_id)
    _require_token()
    try:
        row = follow(current_actor(), actor)
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc))
    else:
        db.session.commit()
        flash("Following." if row.state == "accepted" else "Follow request sent.")
    return redirect(_actor_home(actor))


@bp.route("/actors/<public_id>/unfollow", methods=["POST"])
@login_required
def unfollow_actor(public_id: str) -> Response:
    """Stop following an account, or withdraw a follow request."""
    actor = get_actor(public_id)
    _require_token()
    unfollow(current_actor(), actor)
    db.session.commit()
    flash("Unfollowed.")
    return redirect(_actor_home(actor))


@bp.route("/feed")
@login_required
def feed() -> str:
    """Summaries and comments of the accounts one follows, newest first."""
    ids = followed_ids(current_actor())
    items: list[tuple[object, Summary | Comment]] = []
    if ids:
        summaries = db.session.scalars(
            select(Summary).where(Summary.author_id.in_(ids), ~Summary.is_draft, ~Summary.is_private)
            .order_by(Summary.published_at.desc()).limit(FEED_SIZE)
        ).all()
        comments = db.session.scalars(
            select(Comment).join(Summary, Summary.id == Comment.summary_id)
            .where(Comment.author_id.in_(ids), Comment.deleted_at.is_(None), ~Summary.is_draft, ~Summary.is_private)
            .order_by(Comment.created_at.desc()).limit(FEED_SIZE)
        ).all()
        items = [(s.published_at, s) for s in summaries] + [(c.created_at, c) for c in comments]
        items.sort(key=lambda pair: pair[0], reverse=True)
    return render_template("social/feed.html", items=[item for _, item in items[:FEED_SIZE]], following=len(ids))


@bp.route("/notifications")
@login_required
def notifications() -> str:
    """One's notifications; opening the page marks them read."""
    rows = notifications_for(current_actor())
    unread = {row.id for row in rows if row.read_at is None}
    mark_all_read(current_actor())
    db.session.commit()
    return render_template("social/notifications.html", notifications=rows, unread=unread)


def follow_state_of(actor: Actor) -> str | None:
    """The viewer's follow of this actor: None (no viewer, or oneself), "none", "pending" or "accepted"."""
    viewer = current_actor()
    if viewer is None or viewer.id == actor.id:
        return None
    row = following_row(viewer, actor)
    return row.state if row else "none"


def _actor_home(actor: Actor) -> str:
    if actor.local:
        return url_for("users.profile", public_id=actor.public_id)
    return url_for("social.actor_page", public_id=actor.public_id)


def _require_token() -> None:
    if not ActionForm().validate_on_submit():
        abort(400, description="The form was missing its security token.")
