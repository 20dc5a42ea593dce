"""Objects: Create / Update / Delete of Notes (summaries, comments), Announce and Flag.

TODO (object ingest, another engineer): each handler below is a placeholder that marks the item `ignored`.
The ownership rules (`ownership.check_ownership`) already ran before any of them is called: a Create of an
object on another host than its actor, or an Update / Delete by someone other than the object's owner, never
reaches a handler. A Delete handler must still check that a stored object's author is the activity's actor.
"""

from __future__ import annotations

from .context import IGNORED, Ingest


def on_create(ingest: Ingest) -> str:
    """TODO: Create{Note}: a remote summary, or a comment replying to one of ours."""
    return IGNORED


def on_update(ingest: Ingest) -> str:
    """TODO: Update{Note} (an edit with a newer `updated`) or Update{Person} (a profile refresh)."""
    return IGNORED


def on_delete(ingest: Ingest) -> str:
    """TODO: Delete{Note|Tombstone}: remove the remote summary or comment with that id."""
    return IGNORED


def on_announce(ingest: Ingest) -> str:
    """TODO: Announce (a boost) of one of our summaries."""
    return IGNORED


def on_flag(ingest: Ingest) -> str:
    """TODO: Flag (a report), for the moderation queue."""
    return IGNORED
