"""Profiles and profile settings."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_from_directory, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from ..db import db
from ..errors import DomainError
from ..summaries.models import Summary
from ..users import services
from ..users.avatars import gravatar_url, process_avatar, store_avatar
from ..users.models import Actor
from ..users.stats import sciscore
from .auth import current_actor, current_user, login_required
from .forms import ProfileForm, show_domain_error

bp = Blueprint("users", __name__)


@bp.route("/u/<public_id>")
def profile(public_id: str) -> str:
    """A user's profile: who they are, their sciscore and their public summaries (drafts too, for themselves)."""
    actor = db.session.scalar(select(Actor).where(Actor.public_id == public_id, Actor.local))
    if actor is None:
        abort(404, description="There is no such user.")
    own = current_actor() is not None and current_actor().id == actor.id
    query = select(Summary).where(Summary.author_id == actor.id)
    if not own:
        query = query.where(~Summary.is_draft, ~Summary.is_private)
    summaries = list(db.session.scalars(query.order_by(Summary.updated_at.desc())))
    from .social import follow_state_of

    return render_template(
        "users/profile.html", actor=actor, user=actor.user, summaries=summaries, own=own, sciscore=sciscore(actor),
        follow_state=follow_state_of(actor),
    )


@bp.route("/@<username>")
def by_username(username: str) -> Response:
    """Short profile address: redirects to the permanent one."""
    user = services.find_user(username)
    if user is None:
        abort(404, description="There is no such user.")
    return redirect(url_for("users.profile", public_id=user.actor.public_id))


@bp.route("/settings/profile", methods=["GET", "POST"])
@login_required
def settings() -> Response | tuple[str, int]:
    """Edit one's display name, bio, ORCID iD, website and avatar."""
    user = current_user()
    form = ProfileForm(obj=None if request.method == "POST" else _profile_data(user))
    if form.validate_on_submit():
        try:
            _save_profile(user, form)
        except DomainError as exc:
            db.session.rollback()
            show_domain_error(form, exc)
        else:
            db.session.commit()
            flash("Your profile was saved.")
            return redirect(url_for("users.profile", public_id=user.actor.public_id))
    return render_template("users/settings.html", form=form), 200 if request.method == "GET" else 400


@bp.route("/media/avatars/<name>")
def avatar(name: str) -> Response:
    """An uploaded avatar image."""
    return send_from_directory(current_app.instance_path + "/media/avatars", name, max_age=86400 * 30)


def _profile_data(user: object) -> object:
    class Data:
        display_name = user.actor.display_name
        bio = user.actor.bio
        orcid = user.orcid or ""
        website = user.website or ""
        use_gravatar = bool(user.actor.avatar_url) and user.avatar_file is None
        manually_approves_followers = user.actor.manually_approves_followers

    return Data()


def _save_profile(user: object, form: ProfileForm) -> None:
    settings = current_app.extensions["fediscience.settings"]
    user.actor.manually_approves_followers = bool(form.manually_approves_followers.data)  # before the signal
    services.update_profile(
        user, display_name=form.display_name.data or "", bio=form.bio.data or "",
        orcid=form.orcid.data or "", website=form.website.data or "",
    )
    upload = form.avatar.data
    if upload and getattr(upload, "filename", ""):
        png = process_avatar(upload.read(), settings.max_avatar_bytes)
        user.avatar_file = store_avatar(settings.instance_path / "media", png)
        user.actor.avatar_url = settings.base_url + url_for("users.avatar", name=user.avatar_file)
    elif form.use_gravatar.data:  # opt-in: Gravatar tells a third party who looks at the page
        user.avatar_file = None
        user.actor.avatar_url = gravatar_url(user.email)
    elif user.avatar_file is None:
        user.actor.avatar_url = None
