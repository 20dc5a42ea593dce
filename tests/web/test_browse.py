"""Browsing: home tabs, venues and years, the user directory, author pages."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from fediscience.db import db, utcnow
from fediscience.summaries import listing
from fediscience.summaries.models import Summary
from fediscience.summaries.services import create_summary, edit_summary
from fediscience.users.models import Actor
from fediscience.users.services import register_user
from fediscience.venues.models import Venue
from fediscience.votes.models import Vote
from fediscience.votes.services import cast_vote
from tests.helpers import PASSWORD, make_paper


def _world(app) -> dict[str, str]:
    """Three papers at two venues, summaries by three users, votes old and new."""
    with app.app_context():
        nips16 = make_paper("Old favourite", arxiv_id="1512.03385", venue="NIPS 2016", year=2016)
        nips17 = make_paper("New hit", arxiv_id="1707.06684", venue="NIPS 2017", year=2017)
        icml = make_paper("Quiet one", arxiv_id="1608.08967", venue="ICML 2017", year=2017, authors=["Grace Hopper"])
        ann, ben, cat = (register_user(n, f"{n}@example.org", PASSWORD).actor for n in ("ann", "ben", "cat"))
        old = create_summary(ann, nips16, "Old but gold.", draft=False, private=False)
        new = create_summary(ben, nips17, "Fresh take.", draft=False, private=False)
        create_summary(cat, icml, "Nobody votes for me.", draft=False, private=False)
        create_summary(cat, nips16, "Secret draft.", draft=True, private=False)
        for voter in (ben, cat):
            cast_vote(voter, old, 1)
        cast_vote(ann, new, 1)
        db.session.flush()
        db.session.execute(update(Vote).where(Vote.summary_id == old.id).values(created_at=utcnow() - timedelta(days=30)))
        db.session.commit()
        venue = db.session.scalar(select(Venue).where(Venue.key == "nips"))
        return {"nips": venue.public_id, "old": old.public_id, "new": new.public_id}


def _order(page: str, *titles: str) -> list[int]:
    return [page.index(title) for title in titles]


def test_home_tabs_order_latest_popular_and_best(app, client):
    _world(app)
    latest = client.get("/").get_data(as_text=True)
    assert _order(latest, "Quiet one", "New hit", "Old favourite") == sorted(_order(latest, "Quiet one", "New hit", "Old favourite"))
    best = client.get("/?tab=best").get_data(as_text=True)
    assert best.index("Old favourite") < best.index("New hit") < best.index("Quiet one")
    popular = client.get("/?tab=popular").get_data(as_text=True)
    assert "New hit" in popular and "Old favourite" not in popular  # its votes are 30 days old
    assert "Secret draft" not in latest + best + popular
    assert client.get("/?tab=nonsense").status_code == 200


def test_the_popular_ranking_is_reused_for_a_minute_and_private_summaries_leave_at_once(app, client, monkeypatch):
    ids = _world(app)
    with app.app_context():
        quiet_id = db.session.scalar(select(Summary.id).where(Summary.source == "Nobody votes for me."))
        for name in ("dan", "eve"):
            register_user(name, f"{name}@example.org", PASSWORD)
        db.session.commit()
    assert "Quiet one" not in client.get("/?tab=popular").get_data(as_text=True)
    with app.app_context():
        for name in ("dan", "eve"):
            voter = db.session.scalar(select(Actor).where(Actor.username == name))
            cast_vote(voter, db.session.get(Summary, quiet_id), 1)
        db.session.commit()
    assert "Quiet one" not in client.get("/?tab=popular").get_data(as_text=True)  # the ranking of a moment ago
    monkeypatch.setattr(listing, "RANKING_SECONDS", 0.0)
    popular = client.get("/?tab=popular").get_data(as_text=True)
    assert popular.index("Quiet one") < popular.index("New hit")  # two recent votes beat one

    monkeypatch.setattr(listing, "RANKING_SECONDS", 3600.0)
    with app.app_context():
        new = db.session.scalar(select(Summary).where(Summary.public_id == ids["new"]))
        edit_summary(new, new.author, new.source, draft=False, private=True)
        db.session.commit()
    assert "New hit" not in client.get("/?tab=popular").get_data(as_text=True)  # visibility is never cached


def test_home_paginates(app, client):
    with app.app_context():
        author = register_user("prolific", "p@example.org", PASSWORD).actor
        for number in range(25):
            paper = make_paper(f"Paper number {number:02d}", arxiv_id=f"1801.{number:05d}")
            create_summary(author, paper, f"Summary {number}", draft=False, private=False)
        db.session.commit()
    first = client.get("/").get_data(as_text=True)
    second = client.get("/?page=2").get_data(as_text=True)
    assert first.count('class="summary-card"') == 20 and second.count('class="summary-card"') == 5
    assert "Next" in first and "Previous" in second


def test_venue_index_years_and_year_page(app, client):
    ids = _world(app)
    index = client.get("/venues").get_data(as_text=True)
    assert "NIPS" in index and "ICML" in index
    assert index.index("NIPS") < index.index("ICML")  # more summaries
    years = client.get(f"/venues/{ids['nips']}").get_data(as_text=True)
    assert "2016" in years and "2017" in years
    year = client.get(f"/venues/{ids['nips']}/2016").get_data(as_text=True)
    assert "Old favourite" in year and "New hit" not in year and "1 summary" in year
    assert client.get("/venues/nosuch").status_code == 404
    assert client.get(f"/venues/{ids['nips']}/99999").status_code == 404


def test_summary_counts_follow_visibility(app, client):
    ids = _world(app)
    with app.app_context():
        from fediscience.summaries.models import Summary

        summary = db.session.scalar(select(Summary).where(Summary.public_id == ids["new"]))
        edit_summary(summary, summary.author, summary.source, draft=False, private=True)
        db.session.commit()
        assert summary.paper.summary_count == 0


def test_user_directory_ranks_by_sciscore(app, client):
    _world(app)
    page = client.get("/users").get_data(as_text=True)
    assert page.index(">ann<") < page.index(">ben<") < page.index(">cat<")
    assert "2.0" in page


def test_author_page_lists_the_papers_of_a_name(app, client):
    _world(app)
    page = client.get("/authors/Grace%20Hopper").get_data(as_text=True)
    assert "Quiet one" in page and "Old favourite" not in page
    assert client.get("/authors/Nobody%20Atall").status_code == 404
