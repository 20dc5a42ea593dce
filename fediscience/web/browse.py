"""Browsing: venues and years, the user directory, author pages."""

from __future__ import annotations

from flask import Blueprint, abort, render_template

from ..papers.authors import papers_by_author
from ..users.directory import user_directory
from ..venues.listing import get_venue, venue_index, venue_papers, venue_years
from .home import page_argument

bp = Blueprint("browse", __name__)


@bp.route("/venues")
def venues() -> str:
    """Every venue, the most summarised first."""
    rows, has_next = venue_index(page_argument())
    return render_template("browse/venues.html", rows=rows, page=page_argument(), has_next=has_next)


@bp.route("/venues/<public_id>")
def venue(public_id: str) -> str:
    """A venue's years."""
    found = get_venue(public_id)
    return render_template("browse/venue.html", venue=found, years=venue_years(found))


@bp.route("/venues/<public_id>/<int:year>")
def venue_year(public_id: str, year: int) -> str:
    """The papers of a venue in one year, with their summary counts."""
    found = get_venue(public_id)
    if not 0 < year < 10_000:
        abort(404, description="There is no such year.")
    papers, has_next = venue_papers(found, year, page_argument())
    return render_template(
        "browse/venue_year.html", venue=found, year=year, papers=papers, page=page_argument(), has_next=has_next
    )


@bp.route("/users")
def users() -> str:
    """Users ranked by sciscore."""
    rows, has_next = user_directory(page_argument())
    return render_template("browse/users.html", rows=rows, page=page_argument(), has_next=has_next)


@bp.route("/authors/<path:name>")
def author(name: str) -> str:
    """The papers of an author name."""
    if len(name) > 300:
        abort(404, description="There is no such author.")
    papers = papers_by_author(name)
    if not papers:
        abort(404, description="No paper here lists this author.")
    return render_template("browse/author.html", name=name, papers=papers)
