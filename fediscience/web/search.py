"""The search page: papers and public summaries matching the header search box's query, or an account."""

from __future__ import annotations

import re

from flask import Blueprint, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from ..db import db
from ..search import search
from .home import page_argument

bp = Blueprint("search", __name__)
PAGE_SIZE = 20
HANDLE = re.compile(r"^@?[A-Za-z0-9_.\-]+@[A-Za-z0-9.\-]+(:\d+)?$")


@bp.route("/search")
def index() -> Response | str:
    """Ranked hits for ?q=, PAGE_SIZE per ?page=; `@user@host` or a profile URL opens that account."""
    query = request.args.get("q", "").strip()
    account_error = None
    if HANDLE.match(query) or query.startswith(("https://", "http://")):
        found, account_error = _find_account(query)
        if found is not None:
            return redirect(url_for("social.actor_page", public_id=found))
    page = page_argument()
    results = search(query, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    return render_template(
        "search.html", query=query, results=results, page=page, has_next=results.total > page * PAGE_SIZE,
        account_error=account_error,
    )


def _find_account(query: str) -> tuple[str | None, str | None]:
    """The public id of the account a handle or URL names (fetched if needed), or why it was not found."""
    from ..users.services import find_user

    local = _local_user(query, find_user)
    if local is not None:
        return local, None
    from ..federation.client import FetchError
    from ..federation.remote_actors import resolve_handle

    try:
        actor = resolve_handle(query)  # handles, actor URLs and profile pages (through their alternate link)
    except FetchError as exc:
        db.session.rollback()
        return None, f"Could not find {query}: {exc}"
    db.session.commit()
    return actor.public_id, None


def _local_user(query: str, find_user) -> str | None:  # type: ignore[no-untyped-def]
    from flask import current_app

    host = current_app.extensions["fediscience.settings"].host
    name, _, domain = query.lstrip("@").partition("@")
    if domain.lower() == host.lower():
        user = find_user(name)
        return user.actor.public_id if user else None
    return None
