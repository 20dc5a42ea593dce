"""Admin → Blocked domains: list, block and unblock (the services behind `fediscience domains`)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import StringField
from wtforms.validators import DataRequired, Length, Optional

from ..db import db
from ..errors import DomainError
from ..federation.blocks import block_domain, blocked_domains, normalize_domain, unblock_domain
from .admin import admin_required
from .forms import ActionForm, show_domain_error

bp = Blueprint("admin_domains", __name__)


class BlockForm(FlaskForm):
    """Block a domain, with an optional reason for the other administrators."""

    domain = StringField("Domain (or a handle or URL on it)", validators=[DataRequired(), Length(max=300)])
    reason = StringField("Reason (shown to administrators only)", validators=[Optional(), Length(max=500)])


@bp.route("/admin/domains")
@admin_required
def index() -> str:
    """The blocked domains and the form to block one."""
    return _page(BlockForm())


@bp.route("/admin/domains", methods=["POST"])
@admin_required
def block() -> Response | tuple[str, int]:
    """Block a domain and its subdomains: their requests get 403 and nothing from them is stored."""
    form = BlockForm()
    if form.validate_on_submit():
        try:
            host = block_domain(form.domain.data, form.reason.data)
        except DomainError as exc:
            db.session.rollback()
            show_domain_error(form, exc)
        else:
            db.session.commit()
            flash(f"{host.host} is blocked, with its subdomains.")
            return redirect(url_for("admin_domains.index"))
    return _page(form), 400


@bp.route("/admin/domains/<domain>/unblock", methods=["POST"])
@admin_required
def unblock(domain: str) -> Response:
    """Lift a domain's block."""
    if not ActionForm().validate_on_submit():
        abort(400, description="The form was missing its security token.")
    name = normalize_domain(domain)  # Invalid renders as a 400 page
    if not unblock_domain(name):
        abort(404, description=f"{name} is not blocked.")
    db.session.commit()
    flash(f"{name} is no longer blocked.")
    return redirect(url_for("admin_domains.index"))


def _page(form: BlockForm) -> str:
    return render_template("admin/domains.html", form=form, blocked=blocked_domains())
