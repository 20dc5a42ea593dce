"""The web layer: blueprints, error pages and template helpers."""

from __future__ import annotations

from flask import Flask

from . import auth, comments, errors, home, papers, summaries, users
from .templating import register_template_helpers


def register_web(app: Flask) -> None:
    """Attach every blueprint, the error pages and the template helpers to the app."""
    for blueprint in (auth.bp, home.bp, users.bp, papers.bp, summaries.bp, comments.bp):
        app.register_blueprint(blueprint)
    errors.register(app)
    register_template_helpers(app)
    app.before_request(auth.load_current_user)
