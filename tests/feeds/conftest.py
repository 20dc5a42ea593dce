"""A small world for feed tests: two venues, three papers, public, draft and private summaries, a remote author."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from fediscience.db import db, utcnow
from fediscience.summaries.services import create_summary
from fediscience.users.models import Actor
from fediscience.users.services import register_user
from fediscience.venues.models import Venue
from tests.helpers import PASSWORD, make_paper

MATHS = "We minimise $L = \\sum_i (y_i - \\hat{y}_i)^2$ and conclude.\n\n$$\\int_0^1 x^2\\,dx = \\frac{1}{3}$$\n"


@dataclass
class World:
    """Public ids of what the world holds."""

    nips: str  # venue of `deep` and `old`
    icml: str  # venue of `quiet`
    deep: str  # paper: ann's public (maths), ben's draft, cat's public (remote)
    old: str  # paper: ben's public, ann's private
    quiet: str  # paper without a public summary (ben's private only)
    ann: str
    ben: str
    cat: str  # remote actor
    ann_deep: str
    ben_old: str
    cat_deep: str
    hidden: dict[str, str]  # name → public id of every draft or private summary


@pytest.fixture
def world(app: Flask) -> World:
    """Build the world through the domain services and commit it."""
    with app.app_context():
        deep = make_paper("Deep learning of things", arxiv_id="1707.06684", venue="NIPS 2017", year=2017,
                          keywords=["cs.LG", "stat.ML"], doi="10.1000/deep.1")
        old = make_paper("Old favourite", arxiv_id="1512.03385", venue="NIPS 2016", year=2016)
        quiet = make_paper("Quiet one", arxiv_id="1608.08967", venue="ICML 2017", year=2017, authors=["Grace Hopper"])
        ann, ben = (register_user(name, f"{name}@example.org", PASSWORD).actor for name in ("ann", "ben"))
        cat = Actor(local=False, username="cat", domain="remote.example", uri="https://remote.example/users/cat",
                    profile_url="https://remote.example/@cat", display_name="Cat Remote")
        db.session.add(cat)
        db.session.flush()
        ann_deep = create_summary(ann, deep, MATHS, draft=False, private=False)
        cat_deep = create_summary(cat, deep, "A remote view.", draft=False, private=False)
        ben_old = create_summary(ben, old, "Still the best.", draft=False, private=False)
        hidden = {
            "ben_deep_draft": create_summary(ben, deep, "DRAFT-SECRET words.", draft=True, private=False),
            "ann_old_private": create_summary(ann, old, "PRIVATE-SECRET words.", draft=False, private=True),
            "ben_quiet_private": create_summary(ben, quiet, "PRIVATE-QUIET words.", draft=False, private=True),
        }
        now = utcnow()
        for age, summary in enumerate((ben_old, cat_deep, ann_deep)):  # ann's is the newest
            summary.published_at = now - timedelta(hours=3 - age)
        db.session.commit()
        venues = {venue.key: venue.public_id for venue in db.session.scalars(select(Venue))}
        return World(
            nips=venues["nips"], icml=venues["icml"], deep=deep.public_id, old=old.public_id, quiet=quiet.public_id,
            ann=ann.public_id, ben=ben.public_id, cat=cat.public_id, ann_deep=ann_deep.public_id,
            ben_old=ben_old.public_id, cat_deep=cat_deep.public_id,
            hidden={name: summary.public_id for name, summary in hidden.items()},
        )
