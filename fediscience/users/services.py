"""Registering, authenticating and editing local users."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from ..db import db, utcnow
from ..errors import Conflict, Invalid
from ..signals import profile_updated, user_registered
from .models import Actor, User
from .orcid import InvalidOrcid, parse_orcid
from .passwords import check_password, hash_password, needs_rehash

USERNAME = re.compile(r"^[A-Za-z0-9_]{1,30}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
RESERVED = {"admin", "api", "inbox", "outbox", "settings", "instance", "actor", "static", "media", "well-known"}
MIN_PASSWORD = 8


def validate_username(username: str) -> str:
    """Check a new username: letters, digits and underscores, not reserved."""
    if not USERNAME.match(username):
        raise Invalid("Use 1 to 30 letters, digits or underscores.", field="username")
    if username.lower() in RESERVED:
        raise Invalid("This username is reserved.", field="username")
    return username


def validate_email(email: str) -> str:
    """Check and normalise an email address."""
    email = email.strip()
    if len(email) > 254 or not EMAIL.match(email):
        raise Invalid("Enter a valid email address.", field="email")
    return email.lower()


def validate_password(password: str) -> str:
    """Check a new password's length."""
    if len(password) < MIN_PASSWORD:
        raise Invalid(f"Use at least {MIN_PASSWORD} characters.", field="password")
    if len(password) > 1024:
        raise Invalid("This password is too long.", field="password")
    return password


def register_user(username: str, email: str, password: str, *, is_admin: bool = False) -> User:
    """Create a local user and its actor; raises Invalid or Conflict and changes nothing on bad input."""
    username = validate_username(username.strip())
    email = validate_email(email)
    validate_password(password)
    if db.session.scalar(select(User.id).where(User.username_key == username.lower())):
        raise Conflict("This username is taken.", field="username")
    if db.session.scalar(select(User.id).where(User.email == email)):
        raise Conflict("An account with this email address exists.", field="email")
    actor = Actor(local=True, username=username, display_name=username)
    user = User(actor=actor, username_key=username.lower(), email=email, password_hash=hash_password(password))
    user.is_admin = is_admin
    db.session.add(user)
    db.session.flush()
    user_registered.send(user=user)
    return user


def find_user(username: str) -> User | None:
    """The local user with this username (case-insensitive), or None."""
    return db.session.scalar(select(User).where(User.username_key == username.strip().lower()))


def authenticate(login: str, password: str) -> User | None:
    """The user whose username or email and password match, or None."""
    login = login.strip().lower()
    user = db.session.scalar(select(User).where((User.username_key == login) | (func.lower(User.email) == login)))
    if user is None or not check_password(user.password_hash, password):
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    return user


def update_profile(
    user: User, *, display_name: str, bio: str, orcid: str, website: str
) -> User:
    """Change a user's public profile, checking the ORCID iD and website."""
    if len(display_name) > 100:
        raise Invalid("Use at most 100 characters.", field="display_name")
    if len(bio) > 5000:
        raise Invalid("Use at most 5000 characters.", field="bio")
    user.orcid = _checked_orcid(orcid)
    user.website = _checked_website(website)
    user.actor.display_name = display_name.strip()
    user.actor.bio = bio.strip()
    db.session.flush()
    profile_updated.send(actor=user.actor)
    return user


def set_password(user: User, current: str, new: str) -> None:
    """Change a user's password after checking the current one."""
    if not check_password(user.password_hash, current):
        raise Invalid("The current password is wrong.", field="current_password")
    user.password_hash = hash_password(validate_password(new))


def promote(user: User) -> None:
    """Make a user an administrator."""
    user.is_admin = True


def _checked_orcid(text: str) -> str | None:
    if not text.strip():
        return None
    try:
        return parse_orcid(text)
    except InvalidOrcid as exc:
        raise Invalid(str(exc), field="orcid") from None


def _checked_website(text: str) -> str | None:
    text = text.strip()
    if not text:
        return None
    if not re.match(r"^https?://[^\s/$.?#].[^\s]*$", text) or len(text) > 2048:
        raise Invalid("Enter a web address starting with https://.", field="website")
    return text
