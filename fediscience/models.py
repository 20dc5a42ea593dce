"""Imports every model so that the metadata is complete (Alembic, create_all)."""

from .comments.models import Comment
from .papers.models import Paper, PaperAuthor, PaperLookup
from .summaries.models import Summary, SummaryRevision
from .users.models import Actor, User
from .votes.models import Vote

__all__ = ["Actor", "Comment", "Paper", "PaperAuthor", "PaperLookup", "Summary", "SummaryRevision", "User", "Vote"]
