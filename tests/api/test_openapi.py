"""The OpenAPI document: valid OpenAPI 3.1, listing every route of the API, and describing real answers."""

from __future__ import annotations

import re

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from tests.api.conftest import call, write_summary

IGNORED_METHODS = {"HEAD", "OPTIONS"}


@pytest.fixture
def document(app, client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    return response.get_json()


def test_the_document_is_valid_openapi(app, document):
    validate(document)
    assert document["openapi"].startswith("3.1")
    assert document["servers"] == [{"url": "http://localhost/api/v1"}]


def test_the_document_lists_every_route_of_the_api_and_no_other(app, document):
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api."):
            path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule.removeprefix("/api/v1"))
            routes |= {(path, method.lower()) for method in rule.methods - IGNORED_METHODS}
    documented = {(path, method) for path, item in document["paths"].items() for method in item}
    assert len(routes) > 20
    assert documented == routes


def test_writes_require_the_bearer_scheme_and_reads_allow_anonymous(app, document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            anonymous = {} in operation["security"]
            assert anonymous == (method == "get" and path != "/me"), (method, path)
            assert "401" in operation["responses"]


def _validator(document, name):
    schema = {"$ref": f"#/components/schemas/{name}", "components": document["components"]}
    return Draft202012Validator(schema)


def test_real_answers_match_their_schemas(app, client, alice, bob, paper_id, document):
    summary = write_summary(client, alice.token, paper_id, "Classifiers, with $x$.")
    private = write_summary(client, bob.token, paper_id, "Private classifiers.", private=True)
    comment = call(client, "POST", f"/summaries/{summary}/comments", bob.token, {"source": "Hm."}).get_json()
    reply = {"source": "Yes.", "parent": comment["id"]}
    call(client, "POST", f"/summaries/{summary}/comments", alice.token, reply)
    call(client, "DELETE", f"/comments/{comment['id']}", bob.token)
    lookup = call(client, "POST", "/papers", alice.token, {"id": "1512.03385"}).get_json()
    answers = {
        "Paper": call(client, "GET", f"/papers/{paper_id}"),
        "Summary": call(client, "GET", f"/summaries/{private}", bob.token),
        "SummaryList": call(client, "GET", f"/papers/{paper_id}/summaries", alice.token),
        "CommentList": call(client, "GET", f"/summaries/{summary}/comments"),
        "Comment": call(client, "GET", f"/comments/{comment['id']}"),
        "VoteResult": call(client, "PUT", f"/summaries/{summary}/vote", bob.token, {"value": -1}),
        "Lookup": call(client, "GET", f"/lookups/{lookup['id']}"),
        "Profile": call(client, "GET", f"/users/{alice.public_id}"),
        "Me": call(client, "GET", "/me", bob.token),
        "SearchPage": call(client, "GET", "/search?q=classifiers"),
        "Error": call(client, "GET", "/papers/nosuchpaper"),
    }
    for name, response in answers.items():
        body = response.get_json()
        errors = [error.message for error in _validator(document, name).iter_errors(body)]
        assert not errors, (name, errors)
    assert answers["SearchPage"].get_json()["total"] == 2
    assert answers["CommentList"].get_json()["comments"][0]["deleted"] is True


def test_the_schemas_catch_a_wrong_answer(app, document):
    validator = _validator(document, "Summary")
    assert not validator.is_valid({"id": "x"})
    assert not _validator(document, "VoteResult").is_valid(
        {"summary": "x", "vote": 2, "score": 0, "upvotes": 0, "downvotes": 0}
    )
