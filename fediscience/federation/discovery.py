"""What WebFinger and NodeInfo need: resolving a `resource` to one of our actors, and the usage counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

from sqlalchemy import func, or_, select

from ..activitypub.nodeinfo import NodeUsage
from ..activitypub.webfinger import Acct
from ..comments.models import Comment
from ..db import db, utcnow
from ..papers.models import Paper
from ..summaries.models import Summary
from ..users.models import Actor, User
from .serialize_actors import PAPER_USERNAME_PREFIX, instance_username, local_host, paper_username
from .urls import actor_url, base_url, instance_actor_url, paper_url


@dataclass(frozen=True)
class LocalAccount:
    """One of our actors as WebFinger describes it."""

    username: str
    actor_url: str
    profile_url: str
    aliases: tuple[str, ...]

    @property
    def acct(self) -> Acct:
        """Its `acct:` address on our domain."""
        return Acct(user=self.username, host=local_host())


def our_hosts() -> set[str]:
    """The hosts (with port) an address of ours may name: the handle domain and the base URL's host."""
    return {local_host(), urlsplit(base_url()).netloc.lower()}


def _user(actor: Actor | None) -> LocalAccount | None:
    if actor is None or not actor.local or actor.actor_type == "Application" or actor.user is None:
        return None
    url = actor_url(actor)
    return LocalAccount(actor.username, url, url, (url, f"{base_url()}/@{actor.username}"))


def _instance() -> LocalAccount:
    return LocalAccount(instance_username(), instance_actor_url(), f"{base_url()}/", (instance_actor_url(),))


def _paper(public_id: str) -> LocalAccount | None:
    paper = db.session.scalar(select(Paper).where(Paper.public_id == public_id.lower()))
    if paper is None:
        return None
    return LocalAccount(paper_username(paper), paper_url(paper), paper_url(paper), (paper_url(paper),))


def _by_username(username: str) -> LocalAccount | None:
    if username.lower() == instance_username().lower():  # the instance actor wins, as in Mastodon
        return _instance()
    if username.lower().startswith(PAPER_USERNAME_PREFIX):
        return _paper(username[len(PAPER_USERNAME_PREFIX):])
    user = db.session.scalar(select(User).where(User.username_key == username.lower()))
    return _user(user.actor) if user is not None else None


def _by_url(url: str) -> LocalAccount | None:
    parts = urlsplit(url)
    if parts.netloc.lower() not in our_hosts() or parts.query or parts.fragment:
        return None
    path = parts.path.rstrip("/")
    if path == "/actor":
        return _instance()
    if path.startswith("/@"):
        return _by_username(path[2:])
    kind, _, public_id = path[1:].partition("/")
    if not public_id or "/" in public_id:
        return None
    if kind == "u":
        return _user(db.session.scalar(select(Actor).where(Actor.public_id == public_id.lower(), Actor.local)))
    return _paper(public_id) if kind == "p" else None


def resolve_resource(resource: Acct | str) -> LocalAccount | None:
    """The local actor a WebFinger resource names (an Acct on our host, or our actor/profile URL), or None."""
    if isinstance(resource, str):
        return _by_url(resource)
    if resource.host.lower() not in our_hosts():
        return None
    return _by_username(resource.user)


def node_usage() -> NodeUsage:
    """NodeInfo usage: users (total, active in 30 and 180 days), public summaries, comments (local only)."""
    public = ~Summary.is_draft & ~Summary.is_private & Summary.uri.is_(None)
    return NodeUsage(
        users_total=db.session.scalar(select(func.count(User.id))) or 0,
        users_active_month=_active_users(30),
        users_active_halfyear=_active_users(180),
        local_posts=db.session.scalar(select(func.count(Summary.id)).where(public)) or 0,
        local_comments=db.session.scalar(
            select(func.count(Comment.id)).where(Comment.uri.is_(None), Comment.deleted_at.is_(None))
        ) or 0,
    )


def _active_users(days: int) -> int:
    """Users who logged in, or wrote a summary or a comment, in the last `days` days."""
    since = utcnow() - timedelta(days=days)
    wrote = select(Summary.author_id).where(Summary.updated_at >= since)
    commented = select(Comment.author_id).where(Comment.created_at >= since)
    active = or_(User.last_login_at >= since, User.actor_id.in_(wrote), User.actor_id.in_(commented))
    return db.session.scalar(select(func.count(User.id)).where(active)) or 0
