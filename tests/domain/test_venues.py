"""Venues: one row per venue whatever the volume or year in the string; papers point at it."""

from __future__ import annotations

from sqlalchemy import func, select

from fediscience.db import db
from fediscience.venues.models import Venue
from fediscience.venues.services import venue_key, venue_name
from tests.helpers import make_paper


def test_volumes_and_years_fold_into_one_venue():
    assert venue_name("Advances in Neural Information Processing Systems 29 (NIPS 2016)") == (
        "Advances in Neural Information Processing Systems (NIPS)"
    )
    assert venue_key("NIPS 2016") == venue_key("NIPS 2017") == "nips"
    assert venue_key("Nature") != venue_key("Nature Physics")


def test_papers_of_one_venue_share_its_row(app_context):
    first = make_paper("One", arxiv_id="1707.06684", venue="NIPS 2016")
    second = make_paper("Two", arxiv_id="1512.03385", venue="NIPS 2017")
    third = make_paper("Three", arxiv_id="1608.08967", venue="ICML 2017")
    db.session.commit()
    assert first.venue_id == second.venue_id != third.venue_id
    assert db.session.scalar(select(func.count(Venue.id))) == 2
    assert first.authors_text == "Ada Lovelace, Alan Turing"
