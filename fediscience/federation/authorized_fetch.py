"""Secure mode (`FEDISCIENCE_AUTHORIZED_FETCH`, Mastodon's AUTHORIZED_FETCH): who may GET our ActivityStreams JSON.

When it is on, every ActivityStreams GET we serve needs a draft-cavage signature that verifies, checked exactly as
the inbox checks a POST (`inbox.verified_signer`: algorithm, `(request-target) host date` signed, Host, the Date
window, the signer's key from the in-process cache, the database or a signed fetch, refetched once). Unsigned or
badly signed: 401 `{"error": …}`; a signer (or key) on a blocked domain: 403. When it is off, a GET's signature is
not even read: a bad one changes nothing (Mastodon, PR #13033: "pretend there was no signature").

Always public, whatever the mode: the instance actor (its URL is its key document, and Mastodon would deadlock
verifying us otherwise), WebFinger, host-meta, NodeInfo, our JSON-LD context and every HTML page.

Actor URLs are key documents. Our key ids are `<actor>#main-key`, so a server that checks one of our signatures
fetches the actor URL itself. A signed GET of an actor (verified) gets the whole actor; an *unsigned* one gets
`key_document`: only `id`, `type`, `preferredUsername`, `inbox` and `publicKey` — no profile, no collections —
the way GoToSocial serves its public-key view, so that any server can verify what we sign without learning more.
A *badly* signed GET of an actor is refused (401), not downgraded to the key document: the signer is a server that
does sign (Mastodon always does), and a minimal document would overwrite the profile it has cached of our user,
whereas a 401 leaves its cache as it was until its next, verifiable, fetch.
"""

from __future__ import annotations

from typing import Any

from flask import current_app

from ..activitypub import SignatureError, SignatureParams, SignedRequest, check_request
from .inbox import InboxError, refuse_blocked, verified_signer

KEY_DOCUMENT_FIELDS = ("@context", "id", "type", "preferredUsername", "inbox", "publicKey")


def secure_mode() -> bool:
    """Whether this instance runs in secure mode (FEDISCIENCE_AUTHORIZED_FETCH)."""
    return bool(current_app.extensions["fediscience.settings"].authorized_fetch)


def is_signed(request: SignedRequest) -> bool:
    """Whether the request carries a signature at all (`Signature`, or `Authorization: Signature …`)."""
    if "signature" in request.lowered:
        return True
    return (request.lowered.get("authorization") or "").strip().lower().startswith("signature ")


def not_signed() -> InboxError:
    """The 401 of an unsigned GET in secure mode (Mastodon's wording)."""
    return InboxError(401, "Request not signed", "not_signed")


def verified_get_signer(request: SignedRequest, *, expected_host: str) -> str:
    """The actor id whose key verifies this signed GET; InboxError 401 (bad signature) or 403 (blocked domain).

    The same checks, key lookup and key cache as the inbox. What the key lookup fetched is in the session: the
    caller commits it (or rolls back on a refusal).
    """
    params = _checked(request, expected_host)
    refuse_blocked((params.key_id,))
    signer = verified_signer(request, params)
    refuse_blocked((signer,))
    return signer


def _checked(request: SignedRequest, expected_host: str) -> SignatureParams:
    try:
        return check_request(request, expected_host=expected_host)
    except SignatureError as exc:
        raise InboxError(401, exc.reason, exc.code) from None


def key_document(actor_document: dict[str, Any]) -> dict[str, Any]:
    """The public-key view of an actor document: its @context, id, type, preferredUsername, inbox and publicKey."""
    return {name: actor_document[name] for name in KEY_DOCUMENT_FIELDS if name in actor_document}
