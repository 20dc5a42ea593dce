"""The inboxes: the shared one (/inbox), each user's (/u/<id>/inbox) and the instance actor's (/actor/inbox).

Thin: read at most 1 MB of the raw body, hand the request to `federation.inbox.receive`, commit, answer 202;
refusals answer their 4xx with `{"error": reason}` and store nothing.
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit

from flask import Blueprint, current_app, jsonify, request
from sqlalchemy import select
from werkzeug.wrappers import Response

from ..activitypub import SignedRequest
from ..activitypub.signatures import host_of
from ..db import commit_if_begun, db
from ..federation.inbox import MAX_BODY_BYTES, InboxError, receive, too_large
from ..users.models import Actor

bp = Blueprint("inbox", __name__)


@bp.route("/inbox", methods=["POST"])
def shared() -> Response:
    """The shared inbox."""
    return _deliver()


@bp.route("/actor/inbox", methods=["POST"])
def instance_actor() -> Response:
    """The instance actor's inbox (relays, reports sent to the instance)."""
    return _deliver()


@bp.route("/u/<public_id>/inbox", methods=["POST"])
def personal(public_id: str) -> Response:
    """A local user's own inbox; 404 for an unknown user."""
    known = db.session.scalar(select(Actor.id).where(Actor.public_id == public_id, Actor.local))
    if known is None:
        return refusal_response(InboxError(404, "there is no such user", "not_found"))
    return _deliver()


def _deliver() -> Response:
    try:
        signed = SignedRequest("POST", raw_target(), list(request.headers.items()), _read_body())
        receive(signed, expected_host=host_of(current_app.extensions["fediscience.settings"].base_url))
    except InboxError as exc:
        db.session.rollback()
        return refusal_response(exc)
    commit_if_begun()
    return Response(status=202)


def refusal_response(error: InboxError) -> Response:
    """The JSON answer of a refused request: `{"error": reason, "code": code}` with the error's status."""
    response = jsonify(error.as_json())
    response.status_code = error.status
    return response


def _read_body() -> bytes:
    """The raw body, refused (413) from its Content-Length or after reading one byte past the cap."""
    length = request.content_length
    if length is not None and length > MAX_BODY_BYTES:
        raise too_large()
    body = request.stream.read(MAX_BODY_BYTES + 1)
    if len(body) > MAX_BODY_BYTES:
        raise too_large()
    return body


def raw_target() -> str:
    """The request target as the client sent it (path and query, no trailing '?'), for `(request-target)`."""
    raw = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI")
    if raw:
        if not raw.startswith("/"):  # absolute-form (a proxy request line)
            parts = urlsplit(raw)
            raw = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        return raw
    path = quote(request.script_root + request.path, safe="/:@!$&'()*+,;=-._~%")
    query = request.query_string.decode("latin-1")
    return f"{path}?{query}" if query else path
