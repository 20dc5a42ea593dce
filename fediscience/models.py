"""Imports every model so that the metadata is complete (Alembic, create_all)."""

from .boosts.models import Boost
from .comments.models import Comment
from .federation.models import Activity, Delivery, Follow, InboxItem, Notification, RemoteHost, Tombstone
from .imports.models import ImportRun
from .papers.models import Paper, PaperAuthor, PaperLookup
from .reports.models import Report
from .summaries.models import Summary, SummaryRevision
from .tokens.models import ApiToken
from .users.models import Actor, User
from .venues.models import Venue
from .votes.models import Vote

__all__ = [
    "Activity", "Delivery", "Follow", "InboxItem", "Notification", "RemoteHost", "Tombstone",
    "Actor", "ApiToken", "Boost", "Comment", "ImportRun", "Paper", "PaperAuthor",
    "PaperLookup", "Report", "Summary", "SummaryRevision", "User", "Venue", "Vote",
]
