"""Admin → Deliveries: the outgoing queue per remote host (as `fediscience deliveries` shows it), and "retry now"."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from sqlalchemy import exists, or_, select
from werkzeug.wrappers import Response

from ..db import db, utcnow
from ..federation.cli import queue_by_host
from ..federation.hosts import retry_host
from ..federation.models import Delivery, RemoteHost
from .admin import admin_required
from .forms import ActionForm

bp = Blueprint("admin_deliveries", __name__)

SHOWN_HOSTS = 200  # busiest first; the CLI shows every host


@bp.route("/admin/deliveries")
@admin_required
def index() -> str:
    """Every host with deliveries: counts by state, oldest pending, next try, breaker and flags."""
    lines = queue_by_host()
    return render_template(
        "admin/deliveries.html", lines=lines[:SHOWN_HOSTS], hidden=max(len(lines) - SHOWN_HOSTS, 0), now=utcnow(),
        sweep_seconds=current_app.extensions["fediscience.settings"].sweeper_interval,
    )


@bp.route("/admin/deliveries/<host>/retry", methods=["POST"])
@admin_required
def retry(host: str) -> Response:
    """Retry a host now: its breaker and failures are cleared and its pending deliveries become due."""
    if not ActionForm().validate_on_submit():
        abort(400, description="The form was missing its security token.")
    host = host.lower()
    if not _known(host):
        abort(404, description=f"No deliveries or records for {host}.")
    due = retry_host(host)
    db.session.commit()
    flash(f"{host}: breaker and failures cleared; {due} waiting deliveries are due now.")
    return redirect(url_for("admin_deliveries.index"))


def _known(host: str) -> bool:
    has_deliveries = exists().where(Delivery.host == host)
    has_record = exists().where(RemoteHost.host == host)
    return bool(db.session.scalar(select(or_(has_deliveries, has_record))))
