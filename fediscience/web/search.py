"""Search over papers and summaries (placeholder page until the search index lands)."""

from __future__ import annotations

from flask import Blueprint, render_template, request

bp = Blueprint("search", __name__)


@bp.route("/search")
def index() -> str:
    """The search page."""
    return render_template("search.html", query=request.args.get("q", ""), page=None)
