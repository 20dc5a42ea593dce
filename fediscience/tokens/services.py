"""Creating, checking, listing and revoking personal access tokens (only their SHA-256 is stored)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import func, select

from ..db import db, utcnow
from ..errors import Invalid, NotFound
from ..users.models import User
from .models import ApiToken

TOKEN_PREFIX = "fsp_"
MAX_NAME_LENGTH = 100
MAX_ACTIVE_TOKENS = 50
# Record last use at most this often, so that reads do not write on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)
_MAX_TOKEN_LENGTH = 200


def hash_token(plaintext: str) -> str:
    """The SHA-256 hex digest stored for a token."""
    return hashlib.sha256(plaintext.encode("utf-8")).hexdigest()


def create_token(user: User, name: str) -> tuple[ApiToken, str]:
    """Create a named token for the user; returns the row and the plaintext, which is never stored."""
    name = _checked_name(name)
    active = db.session.scalar(
        select(func.count(ApiToken.id)).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    )
    if active >= MAX_ACTIVE_TOKENS:
        raise Invalid(f"You already have {MAX_ACTIVE_TOKENS} active tokens; revoke one first.", field="name")
    plaintext = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user=user, name=name, token_hash=hash_token(plaintext), prefix=plaintext[:12])
    db.session.add(token)
    db.session.flush()
    return token, plaintext


def authenticate(plaintext: str) -> ApiToken | None:
    """The live token with this plaintext (its last use recorded), or None if unknown or revoked."""
    if not plaintext.startswith(TOKEN_PREFIX) or len(plaintext) > _MAX_TOKEN_LENGTH:
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(plaintext)))
    if token is None or token.revoked_at is not None:
        return None
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        token.last_used_at = now
    return token


def list_tokens(user: User) -> list[ApiToken]:
    """The user's tokens, active ones first, newest first."""
    query = select(ApiToken).where(ApiToken.user_id == user.id)
    order = (ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc(), ApiToken.id.desc())
    return list(db.session.scalars(query.order_by(*order)))


def get_token(token_id: int, owner: User | None = None) -> ApiToken:
    """The token with this id (and this owner, when given); NotFound otherwise."""
    token = db.session.get(ApiToken, token_id) if 0 < token_id < 2**31 else None
    if token is None or (owner is not None and token.user_id != owner.id):
        raise NotFound("There is no such token.")
    return token


def revoke_token(token: ApiToken) -> ApiToken:
    """Revoke a token: it stops working at once (revoking twice keeps the first time)."""
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        db.session.flush()
    return token


def _checked_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise Invalid("Give the token a name, e.g. the script that will use it.", field="name")
    if len(name) > MAX_NAME_LENGTH:
        raise Invalid(f"Use at most {MAX_NAME_LENGTH} characters.", field="name")
    if "\x00" in name or not name.isprintable():
        raise Invalid("The name contains control characters.", field="name")
    return name
