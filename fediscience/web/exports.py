"""Downloading one's own data: summaries as a ShortScience-style CSV, everything as a JSON archive."""

from __future__ import annotations

import json

from flask import Blueprint, Response, render_template

from ..exports import csv_export, json_archive
from ..users.models import User
from .auth import current_user, login_required

bp = Blueprint("exports", __name__)


@bp.route("/settings/export")
@login_required
def index() -> str:
    """The export page: two download links."""
    return render_template("settings/export.html")


@bp.route("/settings/export/summaries.csv")
@login_required
def summaries_csv() -> Response:
    """The logged-in user's summaries (drafts and private ones marked) as CSV."""
    user = current_user()
    return _download(csv_export(user.actor), "text/csv; charset=utf-8", _filename(user, "summaries.csv"))


@bp.route("/settings/export/archive.json")
@login_required
def archive_json() -> Response:
    """The logged-in user's profile, summaries with revisions, comments and votes as JSON."""
    user = current_user()
    body = json.dumps(json_archive(user), ensure_ascii=False, indent=2)
    return _download(body, "application/json; charset=utf-8", _filename(user, "archive.json"))


def _filename(user: User, name: str) -> str:
    return f"fediscience-{user.username}-{name}"


def _download(body: str, mimetype: str, filename: str) -> Response:
    response = Response(body, content_type=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
