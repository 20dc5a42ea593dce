"""Publishing: local domain changes (summaries, comments, votes, profiles) sent as activities to remote inboxes.

Each handler runs inside the caller's transaction and only writes rows (`outbox.send_activity`); delivery jobs
start after the commit, so a rollback sends nothing. Remote objects and remote actors are never re-published.
"""

from __future__ import annotations

from flask import Flask

from ... import signals
from .comments import on_comment_added, on_comment_deleted, on_comment_edited
from .profiles import on_profile_updated
from .summaries import on_summary_published, on_summary_updated, on_summary_withdrawn
from .votes import on_vote_cast, on_vote_removed


def connect(app: Flask) -> None:
    """Subscribe the publishing handlers to the domain signals (once per process; blinker ignores repeats)."""
    signals.summary_published.connect(on_summary_published, weak=False)
    signals.summary_updated.connect(on_summary_updated, weak=False)
    signals.summary_withdrawn.connect(on_summary_withdrawn, weak=False)
    signals.comment_added.connect(on_comment_added, weak=False)
    signals.comment_edited.connect(on_comment_edited, weak=False)
    signals.comment_deleted.connect(on_comment_deleted, weak=False)
    signals.vote_cast.connect(on_vote_cast, weak=False)
    signals.vote_removed.connect(on_vote_removed, weak=False)
    signals.profile_updated.connect(on_profile_updated, weak=False)
