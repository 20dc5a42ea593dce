"""The permanent URLs of our objects, which are also their ActivityPub ids (peers cache them forever)."""

from __future__ import annotations

from flask import current_app

from ..comments.models import Comment
from ..papers.models import Paper
from ..summaries.models import Summary
from ..users.models import Actor


def base_url() -> str:
    """The instance's public base URL (scheme, host and port; no trailing slash)."""
    return current_app.extensions["fediscience.settings"].base_url


def instance_actor_url() -> str:
    """The instance actor (an Application that signs our outbound GETs)."""
    return f"{base_url()}/actor"


def shared_inbox_url() -> str:
    """The shared inbox of the instance."""
    return f"{base_url()}/inbox"


def actor_url(actor: Actor) -> str:
    """An actor's id: /u/<public_id> for local users, the instance actor's URL, or the remote id."""
    if not actor.local:
        assert actor.uri, "a remote actor always has its id"
        return actor.uri
    if actor.actor_type == "Application":
        return instance_actor_url()
    return f"{base_url()}/u/{actor.public_id}"


def key_id(actor: Actor) -> str:
    """The id of an actor's public key: the actor URL with #main-key (Mastodon looks the actor up by it)."""
    return f"{actor_url(actor)}#main-key"


def inbox_url(actor: Actor) -> str:
    """A local actor's own inbox."""
    return f"{actor_url(actor)}/inbox"


def outbox_url(actor: Actor) -> str:
    """A local actor's outbox collection."""
    return f"{actor_url(actor)}/outbox"


def followers_url(actor: Actor) -> str:
    """A local actor's followers collection."""
    return f"{actor_url(actor)}/followers"


def following_url(actor: Actor) -> str:
    """A local actor's following collection."""
    return f"{actor_url(actor)}/following"


def summary_url(summary: Summary) -> str:
    """A summary's page URL, the base of its collections: ours, or the remote object's id."""
    return summary.uri or f"{base_url()}/s/{summary.public_id}"


def summary_note_id(summary: Summary, generation: int | None = None) -> str:
    """The id of a summary's Note (of its current publication, or of `generation`): its URL until it is first made
    private, then one new id per publication (`/s/<id>/v/<generation>`), since servers that received the Delete of
    the old id refuse to see it again."""
    generation = summary.note_generation if generation is None else generation
    if summary.uri is not None or not generation:
        return summary_url(summary)
    return f"{summary_url(summary)}/v/{generation}"


def comment_url(comment: Comment) -> str:
    """A comment's id: our URL, or the remote object's id."""
    return comment.uri or f"{base_url()}/c/{comment.public_id}"


def paper_url(paper: Paper) -> str:
    """A paper's page, which is also its Group actor id."""
    return f"{base_url()}/p/{paper.public_id}"


def activity_url(public_id: str) -> str:
    """The id of an activity we sent."""
    return f"{base_url()}/activities/{public_id}"


def context_url() -> str:
    """Our JSON-LD context (paper identifiers and summary extensions), at a stable URL."""
    return f"{base_url()}/ns/fediscience.jsonld"
