"""Papers: adding by identifier (a metadata job), BibTeX, the merging insert, the paper page."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from fediscience.db import db
from fediscience.papers.metadata import PaperMetadata
from fediscience.papers.models import Paper, PaperLookup
from fediscience.papers.services import store_metadata
from tests.helpers import make_paper, post_form, register, wait_for_jobs
from tests.papers.recorded import recorded_transport


def _papers(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Paper.id)))


def _add(app, client, identifier: str):
    response = post_form(client, "/papers/add", {"identifier": identifier})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    wait_for_jobs(app)
    return client.get(response.headers["Location"], follow_redirects=True)


def test_adding_an_arxiv_paper_runs_a_job_and_shows_the_paper(app, client):
    register(client, "alice")
    page = _add(app, client, "https://arxiv.org/abs/1707.06684v2").get_data(as_text=True)
    assert "ShortScience.org" in page and "Joseph Paul Cohen" in page
    assert "1707.06684" in page
    with app.app_context():
        paper = db.session.scalar(select(Paper))
        assert paper.arxiv_id == "1707.06684" and paper.author_names[0] == "Joseph Paul Cohen"


def test_the_lookup_page_shows_pending_before_the_job_runs(app, client):
    register(client, "alice")
    with app.app_context():
        from fediscience.papers.services import request_paper

        lookup = request_paper("1512.03385", schedule=False).lookup
        db.session.commit()
        public_id = lookup.public_id
    page = client.get(f"/papers/lookups/{public_id}").get_data(as_text=True)
    assert 'data-status="pending"' in page and 'http-equiv="refresh"' in page


def test_adding_the_same_paper_twice_returns_the_first(app, client):
    register(client, "alice")
    first = _add(app, client, "1512.03385")
    second = post_form(client, "/papers/add", {"identifier": "arXiv:1512.03385v1"})
    assert second.status_code == 302 and second.headers["Location"].startswith("/p/")
    assert first.request.path == second.headers["Location"]
    assert _papers(app) == 1


def test_a_doi_is_looked_up_at_crossref(app, client):
    register(client, "alice")
    page = _add(app, client, "https://doi.org/10.1109/CVPR.2016.90").get_data(as_text=True)
    assert "Deep Residual Learning" in page
    with app.app_context():
        assert db.session.scalar(select(Paper.doi)) == "10.1109/cvpr.2016.90"


def test_a_dblp_key_is_looked_up_at_dblp(app, client):
    register(client, "alice")
    page = _add(app, client, "conf/nips/RenHGS15").get_data(as_text=True)
    assert "Faster R-CNN" in page
    with app.app_context():
        assert db.session.scalar(select(Paper.dblp_key)) == "conf/nips/RenHGS15"


def test_an_unknown_id_ends_in_a_clear_message_and_no_paper(app, client):
    register(client, "alice")
    page = _add(app, client, "2101.99999").get_data(as_text=True)
    assert 'data-status="failed"' in page and "arXiv" in page
    assert _papers(app) == 0
    with app.app_context():
        assert db.session.scalar(select(PaperLookup.status)) == "failed"


def test_a_network_error_ends_in_a_clear_message_and_no_paper(app, client):
    app.extensions["fediscience.http_transport"] = recorded_transport(fail={"1608.08967"})
    register(client, "alice")
    page = _add(app, client, "1608.08967").get_data(as_text=True)
    assert 'data-status="failed"' in page
    assert _papers(app) == 0


def test_a_malformed_identifier_shows_the_problem(app, client):
    register(client, "alice")
    response = post_form(client, "/papers/add", {"identifier": "not a paper"})
    assert response.status_code == 400 and "error" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(PaperLookup.id))) == 0


def test_bibtex_with_complete_entries_needs_no_network(app, client):
    app.extensions["fediscience.http_transport"] = recorded_transport(fail={"1707.06684", "10.1000/xyz"})
    register(client, "alice")
    bibtex = """
@inproceedings{DBLP:conf/nips/LeeS00,
  author = {Daniel D. Lee and H. Sebastian Seung},
  title = {Algorithms for Non-negative Matrix Factorization},
  booktitle = {Advances in Neural Information Processing Systems 13},
  year = {2000},
}
@article{broken,
  author = {Nobody},
"""
    response = post_form(client, "/papers/add/bibtex", {"bib-bibtex": bibtex})
    page = response.get_data(as_text=True)
    assert response.status_code in (200, 302)
    with app.app_context():
        paper = db.session.scalar(select(Paper))
        assert paper.title == "Algorithms for Non-negative Matrix Factorization"
        assert paper.author_names == ["Daniel D. Lee", "H. Sebastian Seung"]
        assert paper.dblp_key == "conf/nips/LeeS00"
    assert response.status_code == 302 or "Not added" in page


def test_store_metadata_merges_by_identifier_and_fills_only_missing_fields(app_context):
    first = make_paper("Title One", arxiv_id="1707.06684", doi=None, venue=None)
    merged = store_metadata(
        PaperMetadata(title="Other Title", source="crossref", arxiv_id="1707.06684", doi="10.1/abc", venue="ICML")
    )
    db.session.commit()
    assert merged.id == first.id
    assert merged.title == "Title One" and merged.doi == "10.1/abc" and merged.venue == "ICML"
    assert db.session.scalar(select(func.count(Paper.id))) == 1


def test_concurrent_adds_of_one_paper_make_one_row(app):
    """Eight threads store the same paper at once: the unique constraints merge them in the insert."""
    barrier = threading.Barrier(8)
    ids: list[int] = []
    errors: list[BaseException] = []

    def add() -> None:
        with app.app_context():
            try:
                barrier.wait()
                meta = PaperMetadata(title="Race", source="arxiv", arxiv_id="2001.00001", authors=["A B"])
                ids.append(store_metadata(meta).id)
                db.session.commit()
            except BaseException as exc:  # collected and asserted below
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=add) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert len(set(ids)) == 1
    assert _papers(app) == 1


def test_paper_page_shows_metadata_and_folds_the_abstract(app, client):
    with app.app_context():
        paper = make_paper("Folded", doi="10.5555/folded", dblp_key="conf/x/Y17")
        db.session.commit()
        public_id = paper.public_id
    page = client.get(f"/p/{public_id}").get_data(as_text=True)
    assert "Folded" in page and ">Ada Lovelace</a>, <a" in page and "NeurIPS - 2017" in page
    assert "/authors/Ada%20Lovelace" in page
    assert 'href="https://doi.org/10.5555/folded"' in page and 'href="https://arxiv.org/abs/1707.06684' in page
    assert '<details class="abstract">' in page and 'class="more"' in page


def test_unknown_paper_is_a_404_page(client):
    response = client.get("/p/nosuchpaper")
    assert response.status_code == 404 and "Not found" in response.get_data(as_text=True)


def test_identifier_links_lead_to_the_paper_or_the_add_form(app, client):
    with app.app_context():
        public_id = make_paper("Linked").public_id
        db.session.commit()
    assert client.get("/papers/arxiv/1707.06684").headers["Location"] == f"/p/{public_id}"
    assert client.get("/papers/doi/10.9999/unknown").headers["Location"].startswith("/papers/add?identifier=")
