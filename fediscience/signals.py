"""Domain events. Services send them after flushing; subscribers (federation, later) must not commit."""

from blinker import Namespace

_signals = Namespace()

user_registered = _signals.signal("user-registered", doc="Sent by users.services.register_user with user=User.")
profile_updated = _signals.signal("profile-updated", doc="Sent by users.services.update_profile with actor=Actor.")
paper_added = _signals.signal("paper-added", doc="Sent by papers.services.store_metadata with paper=Paper.")
summary_published = _signals.signal(
    "summary-published", doc="Sent by summaries.services when a summary becomes public, with summary=Summary."
)
summary_updated = _signals.signal(
    "summary-updated", doc="Sent by summaries.services.edit_summary for a public summary, with summary=Summary."
)
summary_withdrawn = _signals.signal(
    "summary-withdrawn", doc="Sent by summaries.services when a public summary becomes private or is deleted."
)
comment_added = _signals.signal("comment-added", doc="Sent by comments.services.add_comment with comment=Comment.")
comment_edited = _signals.signal("comment-edited", doc="Sent by comments.services.edit_comment with comment=Comment.")
comment_deleted = _signals.signal("comment-deleted", doc="Sent by comments.services.delete_comment with comment=Comment.")
vote_cast = _signals.signal("vote-cast", doc="Sent by votes.services.cast_vote with vote=Vote, previous=int|None.")
vote_removed = _signals.signal("vote-removed", doc="Sent by votes.services.remove_vote with vote=Vote.")
