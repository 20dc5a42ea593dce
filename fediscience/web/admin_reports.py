"""Admin → Reports: the moderation queue of open reports (Flags from other servers), and "resolve"."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

from ..db import db
from ..reports.models import Report
from ..reports.services import count_reports, open_reports, reported_objects, resolve_report
from .admin import admin_required
from .auth import current_actor
from .forms import ActionForm

bp = Blueprint("admin_reports", __name__)

SHOWN_REPORTS = 100  # oldest first; resolving them brings the next ones in


@dataclass(frozen=True)
class TargetLink:
    """One reported object as the queue shows it: what it is, a label, and a link (None once it is gone)."""

    kind: str
    label: str
    href: str | None
    uri: str


@bp.route("/admin/reports")
@admin_required
def index() -> str:
    """The open reports with their reporter, comment and reported objects."""
    reports = open_reports(SHOWN_REPORTS)
    objects = reported_objects(reports)
    return render_template(
        "admin/reports.html", reports=[(report, _links(report, objects)) for report in reports],
        open_count=count_reports("open"), resolved_count=count_reports("resolved"),
    )


@bp.route("/admin/reports/<int:report_id>/resolve", methods=["POST"])
@admin_required
def resolve(report_id: int) -> Response:
    """Mark a report resolved: it leaves the queue."""
    if not ActionForm().validate_on_submit():
        abort(400, description="The form was missing its security token.")
    report = db.session.get(Report, report_id)
    if report is None:
        abort(404, description="There is no such report.")
    moderator = current_actor()
    assert moderator is not None  # admin_required
    if resolve_report(report, moderator):
        db.session.commit()
        flash(f"Report #{report.id} is resolved.")
    else:
        flash(f"Report #{report.id} was already resolved.")
    return redirect(url_for("admin_reports.index"))


def _links(report: Report, objects: dict[tuple[str, str], Any]) -> list[TargetLink]:
    links = []
    for target in report.targets or []:
        kind, public_id, uri = target.get("kind"), target.get("public_id"), str(target.get("uri") or "")
        found = objects.get((kind, public_id)) if isinstance(kind, str) and isinstance(public_id, str) else None
        links.append(_link(str(kind), found, uri))
    return links


def _link(kind: str, found: Any, uri: str) -> TargetLink:
    if found is None:
        return TargetLink(kind, f"{kind} (deleted)", None, uri)
    if kind == "actor":
        if found.actor_type == "Application":  # the instance actor has no profile page
            return TargetLink(kind, "this instance", None, uri)
        return TargetLink(kind, f"@{found.handle}", url_for("users.profile", public_id=found.public_id), uri)
    if kind == "summary":
        label = f"Summary of “{found.paper.title}” by @{found.author.handle}"
        return TargetLink(kind, label, url_for("summaries.show", public_id=found.public_id), uri)
    label = f"Comment by @{found.author.handle}" + (" (deleted)" if found.is_deleted else "")
    return TargetLink(kind, label, url_for("comments.show", public_id=found.public_id), uri)
