"""Bearer-token authentication: the token's user goes on g.api_user; the session cookie is never used."""

from __future__ import annotations

from flask import Response, g, request

from ...db import db
from ...tokens.services import authenticate
from ...users.models import Actor, User
from . import bp
from .errors import ApiError

_REALM = 'Bearer realm="api"'


@bp.before_request
def load_api_user() -> None:
    """Authenticate the Authorization header, if any; a malformed, unknown or revoked token is a 401."""
    g.api_user, g.api_token = None, None
    header = request.headers.get("Authorization")
    if header is None:
        return
    scheme, _, credentials = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not credentials.strip():
        raise ApiError(401, "Send the token as `Authorization: Bearer <token>`.", {"WWW-Authenticate": _REALM})
    token = authenticate(credentials.strip())
    if token is None:
        raise ApiError(
            401, "The token is unknown or was revoked.", {"WWW-Authenticate": _REALM + ', error="invalid_token"'}
        )
    g.api_user, g.api_token = token.user, token


@bp.after_request
def record_token_use(response: Response) -> Response:
    """Keep the token's last use for reads (writing views commit it with their change)."""
    if g.get("api_token") is not None and request.method in ("GET", "HEAD") and response.status_code < 400:
        db.session.commit()
    return response


def api_user() -> User | None:
    """The user the request's token belongs to, or None for anonymous requests."""
    return g.get("api_user")


def viewer() -> Actor | None:
    """The actor reading (the token's user), or None for anonymous requests."""
    user = api_user()
    return user.actor if user else None


def require_actor() -> Actor:
    """The token's actor; a 401 asking for a token when the request has none."""
    user = api_user()
    if user is None:
        raise ApiError(
            401, "This needs a personal access token: send `Authorization: Bearer <token>`.",
            {"WWW-Authenticate": _REALM},
        )
    return user.actor
