"""Registering, logging in and out, and the current user."""

from __future__ import annotations

from functools import wraps
from typing import Any, Callable
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response

from ..db import db
from ..errors import DomainError
from ..users import services
from ..users.models import Actor, User
from .forms import LoginForm, LogoutForm, RegisterForm, show_domain_error

bp = Blueprint("auth", __name__)


def load_current_user() -> None:
    """Put the logged-in user (or None) on g for this request."""
    user_id = session.get("uid")
    g.user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    if g.user is None and "uid" in session:
        session.clear()


def current_user() -> User | None:
    """The logged-in user, or None."""
    return g.get("user")


def current_actor() -> Actor | None:
    """The logged-in user's actor, or None."""
    user = current_user()
    return user.actor if user else None


def login_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Send anonymous visitors to the login page, then back."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if current_user() is None:
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return wrapped


def safe_next(target: str | None, default: str | None = None) -> str:
    """A local path to go back to after a form, never another site."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        if not urlsplit(target).netloc:
            return target
    return default or url_for("home.index")


def _start_session(user: User) -> None:
    session.clear()
    session["uid"] = user.id
    session.permanent = True


@bp.route("/register", methods=["GET", "POST"])
def register() -> Response | str:
    """Create an account."""
    settings = current_app.extensions["fediscience.settings"]
    if not settings.registration_open:
        abort(403, description="Registration is closed on this instance.")
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = services.register_user(form.username.data, form.email.data, form.password.data)
        except DomainError as exc:
            db.session.rollback()
            show_domain_error(form, exc)
        else:
            db.session.commit()
            _start_session(user)
            flash("Welcome to FediScience!")
            return redirect(url_for("home.index"))
    return render_template("auth/register.html", form=form), 200 if request.method == "GET" else 400


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response | str:
    """Log in with username or email and password."""
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.login.data, form.password.data)
        if user is not None:
            db.session.commit()
            _start_session(user)
            return redirect(safe_next(request.args.get("next")))
        form.password.errors.append("Wrong username or password.")
    return render_template("auth/login.html", form=form), 200 if request.method == "GET" else 400


@bp.route("/logout", methods=["POST"])
def logout() -> Response:
    """Log out (a POST with a CSRF token, so that a link cannot log anyone out)."""
    form = LogoutForm()
    if not form.validate_on_submit():
        abort(400, description="The form was missing its security token.")
    session.clear()
    return redirect(url_for("home.index"))
