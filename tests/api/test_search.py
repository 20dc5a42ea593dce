"""Search through the API: papers and public summaries with snippets; drafts and private summaries never."""

from __future__ import annotations

from tests.api.conftest import call, error_of, write_summary


def test_search_finds_papers_and_public_summaries(app, client, alice, bob, paper_id):
    summary = write_summary(client, alice.token, paper_id, "Linear regions of piecewise **classifiers** grow.")
    data = call(client, "GET", "/search?q=classifiers").get_json()
    assert data["total"] == 2 and data["query"] == "classifiers" and (data["limit"], data["offset"]) == (20, 0)
    kinds = {hit["kind"]: hit for hit in data["hits"]}
    assert kinds["paper"]["paper"]["id"] == paper_id and kinds["paper"]["summary"] is None
    assert kinds["summary"]["summary"]["id"] == summary and "share_token" not in kinds["summary"]["summary"]
    assert "<mark>" in kinds["summary"]["snippet_html"]
    page = call(client, "GET", "/search?q=classifiers&limit=1&offset=1").get_json()
    assert page["total"] == 2 and len(page["hits"]) == 1


def test_drafts_and_private_summaries_never_appear(app, client, alice, bob, paper_id):
    write_summary(client, alice.token, paper_id, "Unpublished thoughts on zeppelins.", draft=True)
    write_summary(client, bob.token, paper_id, "Private thoughts on zeppelins.", private=True)
    for token in (None, alice.token, bob.token):
        data = call(client, "GET", "/search?q=zeppelins", token).get_json()
        assert data == {"query": "zeppelins", "total": 0, "limit": 20, "offset": 0, "hits": []}


def test_bad_paging_arguments_are_400s(app, client):
    for arguments in ("limit=0", "limit=101", "limit=x", "offset=-1", "offset=1e3", "limit=²", "offset=" + "9" * 50):
        assert "must be an integer" in error_of(client.get(f"/api/v1/search?q=a&{arguments}"), 400), arguments


def test_any_query_is_answered(app, client):
    for query in ("", "\"", "AND OR NOT", "*", "a:b", "((", "'; DROP TABLE papers; --"):
        response = client.get("/api/v1/search", query_string={"q": query})
        assert response.status_code == 200 and response.get_json()["hits"] == [], query
