"""Author pages: the papers of one author name."""

from __future__ import annotations

from sqlalchemy import select

from ..db import db
from .models import Paper, PaperAuthor

MAX_PAPERS = 500


def papers_by_author(name: str) -> list[Paper]:
    """The papers listing this exact author name, newest first."""
    query = (
        select(Paper)
        .join(PaperAuthor, PaperAuthor.paper_id == Paper.id)
        .where(PaperAuthor.name == name)
        .order_by(Paper.year.desc().nulls_last(), Paper.title)
        .limit(MAX_PAPERS)
    )
    return list(db.session.scalars(query).unique())
