"""Papers through the API: by public id, by any identifier, requested by identifier, and their summaries."""

from __future__ import annotations

from fediscience.db import db
from tests.api.conftest import call, error_of, write_summary
from tests.helpers import make_paper, wait_for_jobs


def test_a_paper_by_public_id(app, client, paper_id):
    data = call(client, "GET", f"/papers/{paper_id}").get_json()
    assert data["id"] == paper_id and data["title"] == "Robustness of classifiers"
    assert data["url"] == f"http://localhost/p/{paper_id}"
    assert data["authors"] == ["Ada Lovelace", "Alan Turing"]
    assert data["identifiers"] == {"arxiv": "1707.06684", "doi": None, "dblp": None}
    assert data["published_on"] == "2017-07-21" and data["year"] == 2017
    error_of(call(client, "GET", "/papers/nosuchpaper"), 404)


def test_a_paper_by_any_identifier(app, client):
    with app.app_context():
        public_id = make_paper("Deep Residual Learning", arxiv_id="1512.03385", doi="10.1109/cvpr.2016.90",
                               dblp_key="conf/cvpr/HeZRS16").public_id
        db.session.commit()
    for identifier in ("1512.03385", "arXiv:1512.03385v2", "https://arxiv.org/abs/1512.03385", "10.1109/CVPR.2016.90",
                       "https://doi.org/10.1109/CVPR.2016.90", "conf/cvpr/HeZRS16", "DBLP:conf/cvpr/HeZRS16",
                       "journals/corr/abs-1512-03385"):
        response = client.get("/api/v1/papers/lookup", query_string={"id": identifier})
        assert response.status_code == 200, identifier
        assert response.get_json()["id"] == public_id


def test_lookup_says_400_for_nonsense_and_404_for_unknown_papers(app, client):
    assert "not a paper identifier" in error_of(client.get("/api/v1/papers/lookup?id=hello"), 400)
    assert error_of(client.get("/api/v1/papers/lookup"), 400)
    assert "POST" in error_of(client.get("/api/v1/papers/lookup?id=10.1000/unknown"), 404)


def test_requesting_a_known_paper_returns_it(app, client, alice, paper_id):
    response = call(client, "POST", "/papers", alice.token, {"id": "https://arxiv.org/abs/1707.06684v1"})
    assert response.status_code == 200 and response.get_json()["id"] == paper_id


def test_requesting_a_new_paper_starts_a_lookup_that_ends_with_it(app, client, alice):
    response = call(client, "POST", "/papers", alice.token, {"id": "1512.03385"})
    assert response.status_code == 202
    lookup = response.get_json()
    assert lookup["status"] in ("pending", "done") and response.headers["Location"] == lookup["url"]
    assert lookup["url"].startswith("http://localhost/api/v1/lookups/")
    wait_for_jobs(app)
    done = client.get(lookup["url"].removeprefix("http://localhost")).get_json()
    assert done["status"] == "done" and done["paper"]["title"].startswith("Deep Residual Learning")
    assert client.get("/api/v1/papers/lookup?id=1512.03385").status_code == 200
    error_of(call(client, "GET", "/lookups/nosuchlookup"), 404)


def test_requesting_nonsense_is_a_400_that_stores_nothing(app, client, alice):
    response = call(client, "POST", "/papers", alice.token, {"id": "hello world"})
    assert "spaces" in error_of(response, 400)
    assert response.get_json()["error"]["field"] == "identifier"
    with app.app_context():
        from sqlalchemy import func, select

        from fediscience.papers.models import PaperLookup

        assert db.session.scalar(select(func.count(PaperLookup.id))) == 0


def test_paper_summaries_are_public_ones_by_score_plus_the_callers_own(app, client, alice, bob, paper_id):
    from tests.api.conftest import make_api_user

    carol = make_api_user(app, "carol")
    low = write_summary(client, alice.token, paper_id, "Alice's public summary.")
    high = write_summary(client, carol.token, paper_id, "Carol's public summary.")
    draft = write_summary(client, bob.token, paper_id, "Bob's draft.", draft=True)
    assert call(client, "PUT", f"/summaries/{high}/vote", bob.token, {"value": 1}).status_code == 200

    anonymous = call(client, "GET", f"/papers/{paper_id}/summaries").get_json()["summaries"]
    assert [s["id"] for s in anonymous] == [high, low]
    assert all("share_token" not in s for s in anonymous)
    as_alice = call(client, "GET", f"/papers/{paper_id}/summaries", alice.token).get_json()["summaries"]
    assert [s["id"] for s in as_alice] == [high, low] and "share_token" in as_alice[1]
    as_bob = call(client, "GET", f"/papers/{paper_id}/summaries", bob.token).get_json()["summaries"]
    assert draft in [s["id"] for s in as_bob] and len(as_bob) == 3
    error_of(call(client, "GET", "/papers/nosuchpaper/summaries"), 404)
