"""The home page: public summaries by latest, popular (recent votes) or best score."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from ..summaries.listing import POPULAR_DAYS, TABS, list_summaries

bp = Blueprint("home", __name__)
MAX_PAGE = 10_000


def page_argument() -> int:
    """The ?page= argument, clamped to a sane range."""
    return min(max(request.args.get("page", 1, type=int) or 1, 1), MAX_PAGE)


@bp.route("/healthz")
def healthz() -> tuple[str, int, dict[str, str]]:
    """Liveness probe for load balancers (and the benchmarks' trivial route): no database, no template."""
    return "ok", 200, {"Content-Type": "text/plain"}


@bp.route("/")
def index() -> str:
    """List public summaries under the chosen tab, paginated."""
    tab = request.args.get("tab", "latest")
    if tab not in TABS:
        tab = "latest"
    listing = list_summaries(tab, page_argument())
    return render_template("home.html", listing=listing, tab=tab, tabs=TABS, popular_days=POPULAR_DAYS)
