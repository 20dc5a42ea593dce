"""Posting, editing and deleting comments."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from ..comments import services
from ..db import db
from ..errors import DomainError
from ..papers.page import summary_views
from ..summaries.services import get_visible_summary
from .auth import current_actor, login_required
from .forms import ActionForm, CommentForm, show_domain_error

bp = Blueprint("comments", __name__)


@bp.route("/s/<public_id>/comments", methods=["POST"])
@login_required
def post(public_id: str) -> Response | tuple[str, int]:
    """Comment on a summary, or reply to one of its comments."""
    summary = get_visible_summary(public_id, current_actor())
    form = CommentForm()
    if form.validate_on_submit():
        try:
            parent = services.get_comment(form.parent.data) if form.parent.data else None
            comment = services.add_comment(current_actor(), summary, form.source.data, parent)
        except DomainError as exc:
            db.session.rollback()
            show_domain_error(form, exc)
        else:
            db.session.commit()
            return redirect(_anchor(comment))
    view = summary_views([summary], current_actor())[0]
    return render_template(
        "summaries/show.html", summary=summary, view=view, paper=summary.paper, share=None,
        comment_form=form, action_form=ActionForm(),
    ), 400


@bp.route("/c/<public_id>")
def show(public_id: str) -> Response:
    """A comment's permanent address: its place in the summary's thread."""
    comment = services.get_comment(public_id)
    get_visible_summary(comment.summary_public_id, current_actor())
    return redirect(_anchor(comment))


@bp.route("/c/<public_id>/edit", methods=["GET", "POST"])
@login_required
def edit(public_id: str) -> Response | tuple[str, int]:
    """Edit one's comment."""
    comment = services.get_comment(public_id)
    if comment.author_id != current_actor().id:
        abort(403, description="Only the author can edit this comment.")
    form = CommentForm(obj=comment if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            services.edit_comment(comment, current_actor(), form.source.data)
        except DomainError as exc:
            db.session.rollback()
            show_domain_error(form, exc)
        else:
            db.session.commit()
            return redirect(_anchor(comment))
    return render_template("comments/edit.html", form=form, comment=comment), 200 if request.method == "GET" else 400


@bp.route("/c/<public_id>/delete", methods=["POST"])
@login_required
def delete(public_id: str) -> Response:
    """Delete one's comment (a placeholder stays while it has replies)."""
    comment = services.get_comment(public_id)
    if not ActionForm().validate_on_submit():
        abort(400, description="The form was missing its security token.")
    services.delete_comment(comment, current_actor())
    db.session.commit()
    return redirect(_anchor(comment))


def _anchor(comment: object) -> str:
    return url_for("summaries.show", public_id=comment.summary_public_id) + f"#c-{comment.public_id}"
