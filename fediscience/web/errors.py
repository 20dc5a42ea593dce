"""Error pages: domain errors and HTTP errors render as pages with the right status, never a 500 for bad input."""

from __future__ import annotations

import logging

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from ..db import db
from ..errors import DomainError

log = logging.getLogger(__name__)


def register(app: Flask) -> None:
    """Install the error handlers."""

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError) -> tuple[str, int]:
        db.session.rollback()
        return render_template("error.html", code=error.status, message=str(error)), error.status

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> tuple[str, int]:
        message = "The form was missing its security token or it had expired. Go back, reload and try again."
        return render_template("error.html", code=400, message=message), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[str, int]:
        code = error.code or 500
        return render_template("error.html", code=code, message=error.description), code

    @app.errorhandler(InternalServerError)
    def server_error(error: InternalServerError) -> tuple[str, int]:
        db.session.rollback()
        return render_template("error.html", code=500, message="Something went wrong on our side."), 500
