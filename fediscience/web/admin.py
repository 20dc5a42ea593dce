"""The admin area: the `admin_required` guard and the /admin entry point (deliveries and domain blocks live in
admin_deliveries.py and admin_domains.py)."""

from __future__ import annotations

from functools import wraps
from typing import Any, Callable

from flask import Blueprint, abort, redirect, url_for
from werkzeug.wrappers import Response

from .auth import current_user, login_required

bp = Blueprint("admin", __name__)


def admin_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Send anonymous visitors to the login page; refuse logged-in users who are not administrators (403)."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        user = current_user()
        if user is None or not user.is_admin:
            abort(403, description="This page is for the instance's administrators.")
        return view(*args, **kwargs)

    return login_required(wrapped)


@bp.route("/admin")
@admin_required
def index() -> Response:
    """The admin area opens on the delivery queue."""
    return redirect(url_for("admin_deliveries.index"))
