"""Writing, editing, reading and voting on summaries."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from ..db import db
from ..errors import DomainError, Invalid
from ..papers.page import summary_views
from ..papers.services import get_paper
from ..summaries import services
from ..summaries.models import Summary
from ..votes.services import cast_vote, remove_vote
from .auth import current_actor, login_required, safe_next
from .forms import ActionForm, CommentForm, SummaryForm, VoteForm, show_domain_error

bp = Blueprint("summaries", __name__)


@bp.route("/p/<paper_id>/summarize", methods=["GET", "POST"])
@login_required
def write(paper_id: str) -> Response | tuple[str, int]:
    """Write a summary of a paper, with a preview."""
    paper = get_paper(paper_id)
    existing = services.summary_by(current_actor(), paper)
    if existing is not None:
        return redirect(url_for("summaries.edit", public_id=existing.public_id))
    form = SummaryForm()
    preview, status = _preview_or_validate(form)
    if form.validate_on_submit() and not form.preview.data:
        saved = _save(form, lambda: services.create_summary(
            current_actor(), paper, form.source.data, draft=form.draft.data, private=form.private.data
        ))
        if saved is not None:
            return redirect(url_for("summaries.show", public_id=saved.public_id))
        status = 400
    return render_template("summaries/edit.html", form=form, paper=paper, summary=None, preview=preview), status


@bp.route("/s/<public_id>/edit", methods=["GET", "POST"])
@login_required
def edit(public_id: str) -> Response | tuple[str, int]:
    """Edit one's summary (every change keeps a revision)."""
    summary = services.get_visible_summary(public_id, current_actor())
    if summary.author_id != current_actor().id:
        abort(403, description="Only the author can edit this summary.")
    form = SummaryForm(obj=summary if request.method == "GET" else None)
    if request.method == "GET":
        form.draft.data, form.private.data = summary.is_draft, summary.is_private
    preview, status = _preview_or_validate(form)
    if form.validate_on_submit() and not form.preview.data:
        saved = _save(form, lambda: services.edit_summary(
            summary, current_actor(), form.source.data, draft=form.draft.data, private=form.private.data
        ))
        if saved is not None:
            return redirect(url_for("summaries.show", public_id=saved.public_id))
        status = 400
    return render_template(
        "summaries/edit.html", form=form, paper=summary.paper, summary=summary, preview=preview
    ), status


@bp.route("/s/<public_id>")
def show(public_id: str) -> str:
    """One summary with its votes and comment thread (private ones need the share link)."""
    share = request.args.get("share")
    summary = services.get_visible_summary(public_id, current_actor(), share)
    view = summary_views([summary], current_actor())[0]
    return render_template(
        "summaries/show.html", summary=summary, view=view, paper=summary.paper, share=share,
        comment_form=CommentForm(), action_form=ActionForm(),
    )


@bp.route("/s/<public_id>/delete", methods=["POST"])
@login_required
def delete(public_id: str) -> Response:
    """Delete one's summary."""
    summary = services.get_visible_summary(public_id, current_actor())
    _require_valid(ActionForm())
    paper_id = summary.paper.public_id
    services.delete_summary(summary, current_actor())
    db.session.commit()
    flash("Your summary was deleted.")
    return redirect(url_for("papers.show", public_id=paper_id))


@bp.route("/s/<public_id>/revisions")
def revisions(public_id: str) -> str:
    """The list of a summary's revisions."""
    summary = services.get_visible_summary(public_id, current_actor(), request.args.get("share"))
    return render_template("summaries/revisions.html", summary=summary, revisions=services.revisions(summary))


@bp.route("/s/<public_id>/revisions/<int:number>")
def revision(public_id: str, number: int) -> str:
    """One revision of a summary, rendered as it was."""
    summary = services.get_visible_summary(public_id, current_actor(), request.args.get("share"))
    return render_template(
        "summaries/revision.html", summary=summary, revision=services.get_revision(summary, number)
    )


@bp.route("/s/<public_id>/vote", methods=["POST"])
@login_required
def vote(public_id: str) -> Response:
    """Vote +1 or -1 on a summary; voting the same way again withdraws the vote."""
    summary = services.get_visible_summary(public_id, current_actor())
    form = VoteForm()
    _require_valid(form)
    value = _vote_value(form.value.data)
    if _current_vote(summary) == value:
        remove_vote(current_actor(), summary)
    else:
        cast_vote(current_actor(), summary, value)
    db.session.commit()
    return redirect(safe_next(request.form.get("next"), url_for("summaries.show", public_id=public_id)))


def _save(form: SummaryForm, change: Callable[[], Summary]) -> Summary | None:
    """Run a summary change and commit it; on a domain error, show it on the form and return None."""
    try:
        summary = change()
    except DomainError as exc:
        db.session.rollback()
        show_domain_error(form, exc)
        return None
    db.session.commit()
    return summary


def _vote_value(text: str | None) -> int:
    if text not in ("1", "-1", "+1"):
        raise Invalid("A vote is +1 or -1.")
    return int(text)


def _current_vote(summary: Summary) -> int:
    from ..votes.services import votes_by

    return votes_by(current_actor(), [summary.id]).get(summary.id, 0)


def _preview_or_validate(form: SummaryForm) -> tuple[str | None, int]:
    """Render a preview when asked; returns (preview html, status for a re-shown form)."""
    if request.method != "POST":
        return None, 200
    if not form.validate():
        return None, 400
    if form.preview.data:
        try:
            return services.render_summary_source(form.source.data), 200
        except DomainError as exc:
            show_domain_error(form, exc)
            return None, 400
    return None, 400


def _require_valid(form: ActionForm | VoteForm) -> None:
    if not form.validate_on_submit():
        abort(400, description="The form was incomplete or missing its security token.")
