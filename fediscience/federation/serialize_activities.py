"""Activities wrapping our objects and actors: Create, Update, Delete (of a Tombstone), Update of an actor."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..activitypub import PUBLIC, vocab
from ..comments.models import Comment
from ..db import utcnow
from ..summaries.models import Summary
from ..users.models import Actor
from .context import object_context
from .serialize_actors import actor_document
from .serialize_objects import comment_note, summary_note
from .urls import actor_url, followers_url


def note_of(target: Summary | Comment, *, context: bool = True) -> dict[str, Any]:
    """The Note of a local public summary or a local comment."""
    if isinstance(target, Summary):
        return summary_note(target, context=context)
    return comment_note(target, context=context)


def _wrap(kind: type[vocab.Activity], activity_id: str, note: dict[str, Any], when: Any) -> dict[str, Any]:
    """An activity carrying a Note, addressed as the Note is (to Public, cc the followers and mentions)."""
    return kind(
        context=object_context(), id=activity_id, actor=note["attributedTo"], published=when,
        to=note.get("to"), cc=note.get("cc"), object=note,
    ).to_json()


def create_activity(
    target: Summary | Comment, activity_id: str, *, note: dict[str, Any] | None = None
) -> dict[str, Any]:
    """`Create` of a summary's or a comment's Note (pass `note` when already built, e.g. embedded-size checks)."""
    note = note or note_of(target, context=False)
    return _wrap(vocab.Create, activity_id, note, note.get("published"))


def update_activity(target: Summary | Comment, activity_id: str) -> dict[str, Any]:
    """`Update` of an edited Note; the Note's `updated` (newer than before) is what Mastodon compares."""
    note = note_of(target, context=False)
    note.setdefault("updated", vocab.to_jsonable(utcnow()))  # an Update without `updated` is ignored by Mastodon
    return _wrap(vocab.Update, activity_id, note, note["updated"])


def delete_activity(
    actor: Actor, object_id: str, activity_id: str, *, former_type: str = "Note", deleted: datetime | None = None
) -> dict[str, Any]:
    """`Delete` of one of our objects, embedded as a `Tombstone`, to Public and the actor's followers."""
    tombstone = vocab.Tombstone(id=object_id, former_type=former_type, deleted=deleted or utcnow())
    return vocab.Delete(
        context=object_context(), id=activity_id, actor=actor_url(actor), to=[PUBLIC], cc=[followers_url(actor)],
        object=tombstone,
    ).to_json()


def actor_update_activity(actor: Actor, activity_id: str) -> dict[str, Any]:
    """`Update` of a local actor's profile (Mastodon refreshes it; the actor must equal the object's id)."""
    document = actor_document(actor)
    context = document.pop("@context")
    return vocab.Update(
        context=context, id=activity_id, actor=document["id"], to=[PUBLIC], cc=[followers_url(actor)],
        object=document,
    ).to_json()
