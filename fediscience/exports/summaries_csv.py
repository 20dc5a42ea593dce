"""A user's summaries as CSV in ShortScience's export format (bibtexKey, text), with a visibility column."""

from __future__ import annotations

import csv
import io

from sqlalchemy import select

from ..db import db
from ..papers.models import Paper
from ..summaries.models import Summary
from ..users.models import Actor

HEADER = ("bibtexKey", "text", "visibility")


def csv_export(actor: Actor) -> str:
    """Every summary of the actor (drafts and private ones too, marked so) as CSV text."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    for summary in own_summaries(actor):
        writer.writerow((paper_key(summary.paper), summary.source, visibility(summary)))
    return out.getvalue()


def own_summaries(actor: Actor) -> list[Summary]:
    """The actor's summaries, oldest first."""
    query = select(Summary).where(Summary.author_id == actor.id).order_by(Summary.created_at, Summary.id)
    return list(db.session.scalars(query))


def paper_key(paper: Paper) -> str:
    """ShortScience's bibtexKey for a paper: its DBLP key, else journals/corr/<arXiv id>, else doi:<DOI>."""
    if paper.dblp_key:
        return paper.dblp_key
    if paper.arxiv_id:
        return f"journals/corr/{paper.arxiv_id}"
    return f"doi:{paper.doi}"


def visibility(summary: Summary) -> str:
    """public, private or draft."""
    if summary.is_draft:
        return "draft"
    return "private" if summary.is_private else "public"
