"""Actor documents: a local user as a `Person`, the instance actor as an `Application`, a paper as a `Group`.

Keys: users and the instance actor have their own RSA key (call `keys.ensure_keys(actor)` before serialising).
A paper Group has no key of its own yet: its `publicKey` (`<paper>#main-key`, owner the paper) carries the instance
actor's public key, because the instance operates every paper actor and Mastodon only needs the key's `owner` to be
the actor and its id to be `<actor>#main-key`. Anything a paper signs (later: Announces) is signed with the instance
actor's private key under the key id `<paper>#main-key`. Giving papers keys of their own later is a key rotation
(an `Update{Group}` signed with the old key).
"""

from __future__ import annotations

import mimetypes
import re
from typing import Any
from urllib.parse import urlsplit

from flask import current_app
from markupsafe import escape

from ..activitypub import vocab
from ..papers.models import Paper
from ..users.models import Actor
from .context import actor_context
from .serialize_objects import paper_citation, paper_properties
from .urls import (
    actor_url, base_url, followers_url, following_url, inbox_url, instance_actor_url, outbox_url, paper_url,
    shared_inbox_url,
)

PAPER_USERNAME_PREFIX = "paper-"  # user names are [A-Za-z0-9_], so `paper-…` can never clash with one


class MissingKey(RuntimeError):
    """The actor has no key pair yet: call `keys.ensure_keys(actor)` first."""


def _settings() -> Any:
    return current_app.extensions["fediscience.settings"]


def local_host() -> str:
    """The domain in our handles (`alice@<host>`): FEDISCIENCE_DOMAIN or the base URL's host[:port]."""
    return _settings().host.lower()


def instance_username() -> str:
    """The instance actor's preferredUsername: our host without its port (Mastodon's user names have no ':')."""
    return urlsplit(f"//{local_host()}").hostname or local_host()


def paper_username(paper: Paper) -> str:
    """A paper Group's preferredUsername: `paper-<public_id>` (WebFinger resolves it)."""
    return f"{PAPER_USERNAME_PREFIX}{paper.public_id}"


def bio_html(text: str) -> str:
    """A plain-text bio as HTML paragraphs (blank lines split paragraphs, newlines become <br>)."""
    paragraphs = [part.strip() for part in re.split(r"\n\s*\n", text.strip()) if part.strip()]
    return "".join("<p>" + "<br>".join(str(escape(line)) for line in part.splitlines()) + "</p>" for part in paragraphs)


def _link(href: str, text: str, rel: str) -> str:
    return f'<a href="{escape(href)}" rel="{rel}" target="_blank">{escape(text)}</a>'


def profile_fields(actor: Actor) -> list[dict[str, Any]]:
    """The profile fields Mastodon shows: ORCID iD and website, as PropertyValues with an HTML link."""
    user = actor.user
    fields = []
    if user is not None and user.orcid:
        orcid = _link(f"https://orcid.org/{user.orcid}", user.orcid, "me")
        fields.append(vocab.PropertyValue(name="ORCID", value=orcid))
    if user is not None and user.website:
        shown = re.sub(r"^https?://", "", user.website).rstrip("/")
        fields.append(vocab.PropertyValue(name="Website", value=_link(user.website, shown, "me nofollow noopener")))
    return [field.to_json() for field in fields]


def _icon(url: str | None) -> dict[str, Any] | None:
    if not url:
        return None
    guessed = mimetypes.guess_type(urlsplit(url).path)[0]
    return vocab.Image(url=url, media_type=guessed if guessed and guessed.startswith("image/") else None).to_json()


def public_key(owner_id: str, pem: str | None) -> vocab.PublicKey:
    """The `publicKey` of an actor: `<owner>#main-key`, owned by it."""
    if not pem:
        raise MissingKey(f"{owner_id} has no key pair; call keys.ensure_keys() first")
    return vocab.PublicKey(id=f"{owner_id}#main-key", owner=owner_id, public_key_pem=pem)


def person(actor: Actor) -> dict[str, Any]:
    """A local user as a `Person` (with @context); MissingKey if the actor has no key pair."""
    url = actor_url(actor)
    doc = vocab.Person(
        context=actor_context(), id=url, preferred_username=actor.username, name=actor.name,
        summary=bio_html(actor.bio or ""), url=url, inbox=inbox_url(actor), outbox=outbox_url(actor),
        followers=followers_url(actor), following=following_url(actor),
        endpoints=vocab.Endpoints(shared_inbox=shared_inbox_url()),
        public_key=public_key(url, actor.public_key_pem), icon=_icon(actor.avatar_url),
        manually_approves_followers=bool(actor.manually_approves_followers), discoverable=True,
        published=actor.created_at, attachment=profile_fields(actor), webfinger=f"{actor.username}@{local_host()}",
    )
    return doc.to_json()


def application(actor: Actor) -> dict[str, Any]:
    """The instance actor as an `Application` at /actor (fetchable without a signature)."""
    url = instance_actor_url()
    doc = vocab.Application(
        context=actor_context(), id=url, preferred_username=instance_username(), name=_settings().site_name,
        summary=f"<p>The instance actor of {escape(_settings().site_name)}.</p>", url=f"{base_url()}/",
        inbox=f"{url}/inbox", outbox=f"{url}/outbox", endpoints=vocab.Endpoints(shared_inbox=shared_inbox_url()),
        public_key=public_key(url, actor.public_key_pem), manually_approves_followers=True, discoverable=False,
        published=actor.created_at, webfinger=f"{instance_username()}@{local_host()}",
    )
    return doc.to_json()


def paper_group(paper: Paper, instance: Actor) -> dict[str, Any]:
    """A paper as a `Group` actor at its page URL: title, citation and abstract, identifiers, the instance key."""
    url = paper_url(paper)
    summary = f"<p>{escape(paper_citation(paper))}</p>"
    if paper.abstract:
        summary += f"<p>{escape(paper.abstract)}</p>"
    doc = vocab.Group(
        context=actor_context(), id=url, preferred_username=paper_username(paper), name=paper.title,
        summary=summary, url=url, inbox=shared_inbox_url(), outbox=f"{url}/outbox", followers=f"{url}/followers",
        endpoints=vocab.Endpoints(shared_inbox=shared_inbox_url()),
        public_key=public_key(url, instance.public_key_pem), manually_approves_followers=False, discoverable=True,
        published=paper.created_at, webfinger=f"{paper_username(paper)}@{local_host()}",
        extra=paper_properties(paper),
    )
    return doc.to_json()


def actor_document(actor: Actor) -> dict[str, Any]:
    """Any local actor's document: the instance actor as an Application, a user as a Person."""
    if not actor.local:
        raise ValueError("only local actors are served; a remote actor's document lives at its own id")
    return application(actor) if actor.actor_type == "Application" else person(actor)
