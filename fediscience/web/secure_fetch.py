"""Secure mode at the HTTP edge: the signature check in front of our ActivityStreams GETs, and their cache headers.

`refusal()` runs before an ActivityStreams document is built (web/activitypub.py calls it from its negotiation
hook and from the blueprint's `before_request`); the policy and its exceptions are in
`federation.authorized_fetch`. Every answer that went through the check in secure mode — the document, a 401, a
410 — is marked `Cache-Control: private, no-store` and `Vary: Signature, Authorization`, so no shared cache hands
a signed requester's answer to anyone else.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, g, request
from werkzeug.wrappers import Response

from ..activitypub import SignedRequest
from ..activitypub.signatures import host_of
from ..db import db
from ..federation.authorized_fetch import is_signed, not_signed, secure_mode, verified_get_signer
from ..federation.inbox import InboxError
from .inbox import raw_target, refusal_response

_MARK = "fediscience_secure_fetch"


@dataclass(frozen=True)
class Access:
    """Who asked, in secure mode: the verified signer's actor id, or None for an unsigned request."""

    signer: str | None


def refusal(*, anonymous_ok: bool = False) -> Response | None:
    """Secure mode: None when the GET may go on (verified signer, or unsigned and `anonymous_ok`), else the 401/403
    answer. Off: None at once, the signature unread."""
    if not secure_mode():
        return None
    setattr(g, _MARK, Access(None))
    signed = SignedRequest(request.method, raw_target(), list(request.headers.items()))
    try:
        if not is_signed(signed):
            if anonymous_ok:
                return None
            raise not_signed()
        expected = host_of(current_app.extensions["fediscience.settings"].base_url)
        signer = verified_get_signer(signed, expected_host=expected)
    except InboxError as exc:
        db.session.rollback()
        return _refused(exc)
    db.session.commit()  # the signer's actor, if its key was fetched on the way
    setattr(g, _MARK, Access(signer))
    return None


def anonymous() -> bool:
    """True when secure mode let an unsigned request through (it gets an actor's key document only)."""
    access = g.get(_MARK)
    return access is not None and access.signer is None


def _refused(error: InboxError) -> Response:
    response = refusal_response(error)
    if error.status == 401:
        response.headers["WWW-Authenticate"] = 'Signature realm="ActivityPub",headers="(request-target) host date"'
    return response


def private_answer(response: Response) -> Response:
    """Mark an answer that went through the secure-mode check as private and varying on the signature."""
    if g.get(_MARK) is None:
        return response
    response.vary.update(("Accept", "Signature", "Authorization"))
    response.cache_control.public = False
    response.cache_control.max_age = None
    response.cache_control.private = True
    response.cache_control.no_store = True
    return response
