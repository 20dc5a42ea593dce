"""Importing a ShortScience CSV export or a BibTeX file from the settings: a job with a progress page."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from werkzeug.wrappers import Response
from wtforms import RadioField

from ..db import db
from ..errors import DomainError
from ..imports import services
from .auth import current_user, login_required
from .forms import show_domain_error

try:  # WTForms 3.3 deprecates (value, label) tuples
    from wtforms.fields.choices import SelectChoice

    _KIND_CHOICES: list = [SelectChoice(value, label) for value, label in services.KINDS.items()]
except ImportError:  # pragma: no cover (older WTForms)
    _KIND_CHOICES = list(services.KINDS.items())

bp = Blueprint("imports", __name__)


class ImportForm(FlaskForm):
    """Upload a file to import."""

    kind = RadioField("What is it?", choices=_KIND_CHOICES, default="shortscience")
    file = FileField(f"File (UTF-8, at most {services.MAX_IMPORT_BYTES // 1_000_000} MB)",
                     validators=[FileRequired("Choose a file to import.")])


@bp.route("/settings/import", methods=["GET", "POST"])
@login_required
def index() -> Response | tuple[str, int]:
    """The upload form and the user's past imports; a valid upload starts an import job."""
    user = current_user()
    form = ImportForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            run = services.start_import(user, form.kind.data, upload.filename or "",
                                        upload.read(services.MAX_IMPORT_BYTES + 1))
        except DomainError as exc:
            db.session.rollback()
            show_domain_error(form, exc)
        else:
            db.session.commit()
            return redirect(url_for("imports.show", public_id=run.public_id))
    runs = services.recent_runs(user)
    status = 200 if request.method == "GET" else 400
    return render_template("settings/import.html", form=form, runs=runs, kinds=services.KINDS), status


@bp.route("/settings/import/<public_id>")
@login_required
def show(public_id: str) -> str:
    """One import's progress: rows done of the total, imported, skipped and refused with their lines."""
    run = services.get_run(current_user(), public_id)
    return render_template("settings/import_run.html", run=run, kinds=services.KINDS)
