"""The search page: hits with links, citation, snippet and summary author; total; pagination; no 500 for any query."""

from __future__ import annotations

import re

from fediscience.db import db
from tests.helpers import count_queries, register
from tests.search.conftest import paper
from tests.search.test_search import HOSTILE
from tests.web.test_summaries import write


def test_the_page_shows_paper_and_summary_hits(app, alice, client, paper_id):
    write(alice, paper_id, source="Linear regions of piecewise **classifiers** grow with depth.")
    page = client.get("/search?q=classifiers").get_data(as_text=True)
    assert "2 results" in page
    assert f'href="/p/{paper_id}"' in page
    assert "Ada Lovelace, Alan Turing · NeurIPS - 2017" in page
    assert "<mark>classifiers</mark>" in page
    assert re.search(r'href="/s/[a-z0-9]+"', page)
    assert "alice" in page
    assert 'value="classifiers"' in page  # the query stays in the header's box


def test_drafts_and_private_summaries_stay_off_the_page(app, alice, bob, client, paper_id):
    write(alice, paper_id, source="Unpublished thoughts on zeppelins.", draft="y")
    write(bob, paper_id, source="Private thoughts on zeppelins.", private="y")
    for viewer in (client, alice, bob):
        page = viewer.get("/search?q=zeppelins").get_data(as_text=True)
        assert "0 results" in page and "zeppelins." not in page
        assert "/s/" not in page


def test_the_page_paginates_keeping_the_query(app, client):
    with app.app_context():
        for number in range(23):
            paper(f"Kernel methods {number}")
        db.session.commit()
    first = client.get("/search?q=kernel").get_data(as_text=True)
    assert "23 results" in first and first.count('class="search-hit') == 20
    assert 'href="/search?q=kernel&amp;page=2"' in first and "Previous" not in first
    second = client.get("/search?q=kernel&page=2").get_data(as_text=True)
    assert second.count('class="search-hit') == 3
    assert 'href="/search?q=kernel&amp;page=1"' in second and "Next" not in second
    titles = set(re.findall(r"Kernel methods \d+", first)) | set(re.findall(r"Kernel methods \d+", second))
    assert len(titles) == 23
    assert client.get("/search?q=kernel&page=99").status_code == 200
    assert client.get("/search?q=kernel&page=abc").status_code == 200


def test_an_empty_query_shows_a_hint(app, client):
    response = client.get("/search")
    assert response.status_code == 200
    assert "Type words from" in response.get_data(as_text=True)


def test_hostile_queries_render_without_error(app, client):
    with app.app_context():
        paper("Kernel methods")
        db.session.commit()
    for query in [*HOSTILE, "<script>alert(1)</script>", "\x00"]:
        response = client.get("/search", query_string={"q": query})
        assert response.status_code in (200, 400), query
        assert "<script>alert(1)" not in response.get_data(as_text=True)


def test_every_page_has_the_search_box(app, client, paper_id):
    for path in ("/", f"/p/{paper_id}", "/login"):
        assert 'action="/search"' in client.get(path).get_data(as_text=True)


def test_the_page_runs_a_fixed_number_of_queries(app, client):
    with app.app_context():
        papers = [paper(f"Kernel methods {number}") for number in range(12)]
        db.session.commit()
        paper_ids = [p.public_id for p in papers]
    for number, public_id in enumerate(paper_ids[:8]):
        writer = app.test_client()
        register(writer, f"user{number}")
        write(writer, public_id, source="The kernel trick, explained.")
    with count_queries(app) as statements:
        page = client.get("/search?q=kernel").get_data(as_text=True)
    assert page.count('class="search-hit') == 20
    assert len(statements) <= 8, statements
