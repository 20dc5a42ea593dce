"""Venue index, a venue's years, and the papers of a venue in a year."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from ..db import db
from ..errors import NotFound
from ..papers.models import Paper
from .models import Venue


@dataclass
class VenueRow:
    """A venue with its number of papers and of public summaries."""

    venue: Venue
    papers: int
    summaries: int


@dataclass
class YearRow:
    """One year of a venue."""

    year: int | None
    papers: int
    summaries: int


def venue_index(page: int, per_page: int = 100) -> tuple[list[VenueRow], bool]:
    """Venues with the most summaries first; returns (rows, has_next)."""
    query = (
        select(Venue, func.count(Paper.id), func.coalesce(func.sum(Paper.summary_count), 0))
        .join(Paper, Paper.venue_id == Venue.id)
        .group_by(Venue.id)
        .order_by(func.coalesce(func.sum(Paper.summary_count), 0).desc(), Venue.name)
        .limit(per_page + 1)
        .offset((page - 1) * per_page)
    )
    rows = [VenueRow(venue, papers, summaries) for venue, papers, summaries in db.session.execute(query)]
    return rows[:per_page], len(rows) > per_page


def get_venue(public_id: str) -> Venue:
    """The venue with this public id; NotFound otherwise."""
    venue = db.session.scalar(select(Venue).where(Venue.public_id == public_id))
    if venue is None:
        raise NotFound("There is no such venue.")
    return venue


def venue_years(venue: Venue) -> list[YearRow]:
    """The venue's years, newest first, with paper and summary counts."""
    query = (
        select(Paper.year, func.count(Paper.id), func.coalesce(func.sum(Paper.summary_count), 0))
        .where(Paper.venue_id == venue.id)
        .group_by(Paper.year)
        .order_by(Paper.year.desc().nulls_last())
    )
    return [YearRow(year, papers, summaries) for year, papers, summaries in db.session.execute(query)]


def venue_papers(venue: Venue, year: int, page: int, per_page: int = 50) -> tuple[list[Paper], bool]:
    """The venue's papers of a year, most summarised first; returns (papers, has_next)."""
    query = (
        select(Paper)
        .where(Paper.venue_id == venue.id, Paper.year == year)
        .order_by(Paper.summary_count.desc(), Paper.title, Paper.id)
        .limit(per_page + 1)
        .offset((page - 1) * per_page)
    )
    papers = list(db.session.scalars(query))
    return papers[:per_page], len(papers) > per_page
