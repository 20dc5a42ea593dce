"""JSON errors for the API: every failure is {"error": {"status": N, "reason": "..."}} with the right status."""

from __future__ import annotations

import logging

from flask import Response, jsonify, request
from werkzeug.exceptions import HTTPException, InternalServerError, MethodNotAllowed

from ...db import db
from ...errors import DomainError
from . import bp

log = logging.getLogger(__name__)


class ApiError(Exception):
    """A refusal raised by an API view: its status, the reason shown to the client and extra headers."""

    def __init__(self, status: int, reason: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(reason)
        self.status, self.reason, self.headers = status, reason, headers or {}


def error_response(status: int, reason: str, headers: dict[str, str] | None = None, **extra: str) -> Response:
    """The JSON body and status of an error."""
    response = jsonify({"error": {"status": status, "reason": reason, **extra}})
    response.status_code = status
    response.headers.update(headers or {})
    return response


def _is_api_path(path: str) -> bool:
    prefix = bp.url_prefix or ""
    return path == prefix or path.startswith(prefix + "/")


@bp.before_app_request
def routing_errors() -> Response | None:
    """Answer unknown API paths (404) and wrong methods (405) in JSON; blueprint handlers never see those."""
    error = request.routing_exception
    if not isinstance(error, HTTPException) or (error.code or 0) < 400 or not _is_api_path(request.path):
        return None
    return _http_error(error)


@bp.errorhandler(ApiError)
def api_error(error: ApiError) -> Response:
    """Errors raised by the API's own checks."""
    db.session.rollback()
    return error_response(error.status, error.reason, error.headers)


@bp.errorhandler(DomainError)
def domain_error(error: DomainError) -> Response:
    """Refusals of the domain services: 400, 403, 404, 409."""
    db.session.rollback()
    field = getattr(error, "field", None)
    return error_response(error.status, str(error), **({"field": field} if field else {}))


@bp.errorhandler(HTTPException)
def http_error(error: HTTPException) -> Response:
    """Werkzeug's errors (400, 404, 413, …) in JSON."""
    db.session.rollback()
    return _http_error(error)


@bp.errorhandler(InternalServerError)
def server_error(error: InternalServerError) -> Response:
    """Anything unexpected: logged by Flask, answered without details."""
    db.session.rollback()
    return error_response(500, "Something went wrong on our side.")


def _http_error(error: HTTPException) -> Response:
    headers = {}
    if isinstance(error, MethodNotAllowed) and error.valid_methods:
        headers["Allow"] = ", ".join(error.valid_methods)
    return error_response(error.code or 500, error.description or error.name, headers)
