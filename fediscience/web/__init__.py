"""The web layer: blueprints, error pages and template helpers."""

from __future__ import annotations

from flask import Flask, abort, request

from . import (
    auth, browse, comments, errors, exports, feeds, home, imports, papers, search, social, summaries, tokens, users,
)
from . import follow_requests, inbox
from . import admin, admin_deliveries, admin_domains, admin_reports, boosts
from . import activitypub, wellknown
from .api import bp as api_bp
from .templating import register_template_helpers


def register_web(app: Flask) -> None:
    """Attach every blueprint, the error pages and the template helpers to the app."""
    blueprints = (auth.bp, home.bp, browse.bp, users.bp, papers.bp, summaries.bp, comments.bp, search.bp, feeds.bp)
    blueprints += (social.bp,)
    for blueprint in (*blueprints, exports.bp, imports.bp, tokens.bp, api_bp, inbox.bp, follow_requests.bp,
                      activitypub.bp, wellknown.bp, admin.bp, admin_deliveries.bp, admin_domains.bp, admin_reports.bp,
                      boosts.bp):
        app.register_blueprint(blueprint)
    from ..app import csrf

    csrf.exempt(api_bp)  # the API authenticates with bearer tokens, never with cookies
    csrf.exempt(inbox.bp)  # inboxes authenticate with HTTP signatures, never with cookies
    errors.register(app)
    register_template_helpers(app)
    app.before_request(refuse_nul_characters)
    app.before_request(auth.load_current_user)


def refuse_nul_characters() -> None:
    """Refuse NUL characters anywhere in the input: PostgreSQL cannot store them, and no real text has them."""
    values = [request.path, *request.args.values(), *request.args.keys()]
    if request.method == "POST" and request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        values += [*request.form.values(), *request.form.keys()]
    if any("\x00" in value for value in values):
        abort(400, description="The request contains a NUL character.")
