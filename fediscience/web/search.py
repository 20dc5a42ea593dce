"""The search page: papers and public summaries matching the header search box's query."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from ..search import search
from .home import page_argument

bp = Blueprint("search", __name__)
PAGE_SIZE = 20


@bp.route("/search")
def index() -> str:
    """Ranked hits for ?q=, PAGE_SIZE per ?page=."""
    query = request.args.get("q", "")
    page = page_argument()
    results = search(query, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    return render_template(
        "search.html", query=query, results=results, page=page, has_next=results.total > page * PAGE_SIZE
    )
