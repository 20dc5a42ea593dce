"""Adding papers, paper pages and identifier links."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from ..db import db
from ..errors import DomainError
from ..papers import services
from ..papers.page import ranked_summaries
from ..summaries.services import summary_by
from .auth import current_actor, login_required
from .forms import BibtexForm, PaperAddForm, show_domain_error

bp = Blueprint("papers", __name__)


@bp.route("/papers/add", methods=["GET", "POST"])
@login_required
def add() -> Response | tuple[str, int]:
    """Add a paper by arXiv id, DOI or DBLP key; the metadata is fetched by a job."""
    form, bibtex_form = PaperAddForm(), BibtexForm(prefix="bib")
    if request.method == "GET" and request.args.get("identifier"):
        form.identifier.data = request.args["identifier"][:500]
    if form.validate_on_submit():
        try:
            outcome = services.request_paper(form.identifier.data, current_actor())
        except DomainError as exc:
            db.session.rollback()
            show_domain_error(form, exc)
        else:
            db.session.commit()
            if outcome.paper is not None:
                return redirect(url_for("papers.show", public_id=outcome.paper.public_id))
            return redirect(url_for("papers.lookup", public_id=outcome.lookup.public_id))
    status = 200 if request.method == "GET" else 400
    return render_template("papers/add.html", form=form, bibtex_form=bibtex_form), status


@bp.route("/papers/add/bibtex", methods=["POST"])
@login_required
def add_bibtex() -> Response | tuple[str, int]:
    """Add the papers of pasted BibTeX entries."""
    form, bibtex_form = PaperAddForm(formdata=None), BibtexForm(prefix="bib")
    if bibtex_form.validate_on_submit():
        report = services.add_bibtex(bibtex_form.bibtex.data, current_actor())
        db.session.commit()
        if report.papers and not report.errors and not report.lookups:
            if len(report.papers) == 1:
                return redirect(url_for("papers.show", public_id=report.papers[0].public_id))
        return render_template("papers/bibtex_report.html", report=report)
    return render_template("papers/add.html", form=form, bibtex_form=bibtex_form), 400


@bp.route("/papers/lookups/<public_id>")
def lookup(public_id: str) -> Response | str:
    """A pending paper look-up: refreshes until the paper is there, or shows why it failed."""
    lookup = services.get_lookup(public_id)
    if lookup.status == "done" and lookup.paper is not None:
        return redirect(url_for("papers.show", public_id=lookup.paper.public_id))
    return render_template("papers/lookup.html", lookup=lookup)


@bp.route("/p/<public_id>")
def show(public_id: str) -> str:
    """The paper page: metadata, abstract, and the summaries ranked by score with their threads."""
    paper = services.get_paper(public_id)
    viewer = current_actor()
    views = ranked_summaries(paper, viewer)
    mine = next((v.summary for v in views if viewer and v.summary.author_id == viewer.id), None)
    if viewer is not None and mine is None:
        mine = summary_by(viewer, paper)
    return render_template("papers/show.html", paper=paper, views=views, mine=mine)


@bp.route("/papers/<any(arxiv, doi, dblp):scheme>/<path:value>")
def by_identifier(scheme: str, value: str) -> Response:
    """Follow a link to a paper by identifier: its page, or the form to add it."""
    try:
        identifier = services.parse_user_identifier(value if scheme != "dblp" else f"DBLP:{value}")
    except DomainError:
        abort(404, description="This is not a valid paper identifier.")
    paper = services.find_paper(identifier)
    if paper is None:
        return redirect(url_for("papers.add", identifier=value))
    return redirect(url_for("papers.show", public_id=paper.public_id))

