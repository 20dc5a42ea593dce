"""The home page: the latest public summaries."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from sqlalchemy import select

from ..db import db
from ..summaries.models import Summary

bp = Blueprint("home", __name__)
PAGE_SIZE = 20
MAX_PAGE = 10_000


@bp.route("/")
def index() -> str:
    """List the latest public summaries, newest first, paginated."""
    page = min(max(request.args.get("page", 1, type=int) or 1, 1), MAX_PAGE)
    query = (
        select(Summary)
        .where(~Summary.is_draft, ~Summary.is_private)
        .order_by(Summary.published_at.desc(), Summary.id.desc())
        .limit(PAGE_SIZE + 1)
        .offset((page - 1) * PAGE_SIZE)
    )
    summaries = list(db.session.scalars(query))
    return render_template(
        "home.html", summaries=summaries[:PAGE_SIZE], page=page, has_next=len(summaries) > PAGE_SIZE
    )
