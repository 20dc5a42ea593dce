"""Settings → API tokens: list, create (the token is shown once) and revoke personal access tokens."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from ..db import db
from ..errors import DomainError
from ..tokens import services
from .auth import current_user, login_required
from .forms import ActionForm, show_domain_error

bp = Blueprint("tokens", __name__)


class TokenForm(FlaskForm):
    """Create a token: its name says what will use it."""

    name = StringField("Name (what will use it)", validators=[DataRequired(), Length(max=services.MAX_NAME_LENGTH)])


@bp.route("/settings/tokens")
@login_required
def index() -> str:
    """The user's tokens and the form to create one."""
    return _page(TokenForm())


@bp.route("/settings/tokens", methods=["POST"])
@login_required
def create() -> tuple[str, int, dict[str, str]]:
    """Create a token and show its plaintext once (never stored, never in a redirect or flash)."""
    form = TokenForm()
    if form.validate_on_submit():
        try:
            token, plaintext = services.create_token(current_user(), form.name.data)
        except DomainError as exc:
            db.session.rollback()
            show_domain_error(form, exc)
        else:
            db.session.commit()
            page = _page(TokenForm(formdata=None), created=token, plaintext=plaintext)
            return page, 200, {"Cache-Control": "no-store"}
    return _page(form), 400, {}


@bp.route("/settings/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke(token_id: int) -> Response:
    """Revoke one of the user's tokens: it stops working at once."""
    if not ActionForm().validate_on_submit():
        abort(400, description="The form was missing its security token.")
    token = services.revoke_token(services.get_token(token_id, owner=current_user()))
    db.session.commit()
    flash(f"The token “{token.name}” was revoked.")
    return redirect(url_for("tokens.index"))


def _page(form: TokenForm, **extra: object) -> str:
    return render_template(
        "settings/tokens.html", form=form, tokens=services.list_tokens(current_user()), **extra
    )
