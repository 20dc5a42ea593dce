"""Authentication and errors: 401 with WWW-Authenticate, 400 for bad JSON, JSON 404/405/413, HTML elsewhere."""

from __future__ import annotations

import pytest

from tests.api.conftest import call, error_of

# Every write endpoint with a body, and a valid body for it ({id} is a summary or comment id, {paper} a paper id).
WRITES = [
    ("POST", "/papers", {"id": "1707.06684"}),
    ("POST", "/papers/{paper}/summaries", {"source": "Text"}),
    ("PATCH", "/summaries/{summary}", {"source": "Text"}),
    ("POST", "/summaries/{summary}/comments", {"source": "Text"}),
    ("PATCH", "/comments/{comment}", {"source": "Text"}),
    ("PUT", "/summaries/{summary}/vote", {"value": 1}),
]
DELETES = ["/summaries/{summary}", "/comments/{comment}", "/summaries/{summary}/vote"]
BAD_BODIES = [
    ("", "needs a JSON object"),
    ("{", "not valid JSON"),
    ("[1, 2]", "must be a JSON object"),
    ('"text"', "must be a JSON object"),
    ('{"nonsense": 1}', "Unknown field 'nonsense'"),
    ("[" * 100_000 + "]" * 100_000, "too deeply nested"),
    (b'{"source": "\xff"}', "not UTF-8"),
]


@pytest.fixture
def ids(client, alice, bob, paper_id, summary_id):
    """A paper, alice's summary, and bob's comment on it."""
    response = call(client, "POST", f"/summaries/{summary_id}/comments", bob.token, {"source": "Nice."})
    return {"paper": paper_id, "summary": summary_id, "comment": response.get_json()["id"]}


def test_writes_without_a_token_are_401_with_a_bearer_challenge(app, client, ids):
    for method, path, body in [*WRITES, *(("DELETE", path, None) for path in DELETES)]:
        response = call(client, method, path.format(**ids), None, body)
        assert "token" in error_of(response, 401), (method, path)
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert call(client, "GET", f"/summaries/{ids['summary']}/comments").get_json()["comments"][0]["source"] == "Nice."


def test_me_needs_a_token(app, client):
    response = call(client, "GET", "/me")
    error_of(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_malformed_or_unknown_credential_is_401_even_for_reads(app, client, paper_id):
    headers = ("Bearer", "Bearer ", "Basic YWxpY2U6cHc=", "Token fsp_x", "Bearer fsp_unknown", "Bearer fsp_" + "x" * 5000)
    for header in headers:
        response = client.get(f"/api/v1/papers/{paper_id}", headers={"Authorization": header})
        error_of(response, 401)
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert client.get(f"/api/v1/papers/{paper_id}").status_code == 200


def test_the_session_cookie_does_not_authenticate_the_api(app, client, paper_id):
    from tests.helpers import register

    register(client, "carol")  # logged in on the web, but no token
    response = call(client, "POST", f"/papers/{paper_id}/summaries", None, {"source": "Text"})
    error_of(response, 401)


@pytest.mark.parametrize(("method", "path", "body"), WRITES)
def test_bad_json_and_wrongly_typed_fields_are_400s_with_a_reason(app, client, alice, ids, method, path, body):
    path = path.format(**ids)
    for raw, expected in BAD_BODIES:
        assert expected in error_of(call(client, method, path, alice.token, raw=raw), 400), raw[:20]
    field, value = next(iter(body.items()))
    for wrong in ([value], {"v": value}, None, True if isinstance(value, str) else "1"):
        assert repr(field) in error_of(call(client, method, path, alice.token, {**body, field: wrong}), 400)
    assert call(client, "GET", f"/summaries/{ids['summary']}").get_json()["source"] != "Text"


def test_flags_must_be_json_booleans(app, client, alice, paper_id, summary_id):
    for flag in ("draft", "private"):
        for wrong in ("true", 1, 0, "y", None):
            for method, path in (("POST", f"/papers/{paper_id}/summaries"), ("PATCH", f"/summaries/{summary_id}")):
                response = call(client, method, path, alice.token, {"source": "Text", flag: wrong})
                assert "must be a boolean" in error_of(response, 400)
    assert call(client, "GET", f"/summaries/{summary_id}").get_json()["source"] != "Text"


def test_nul_characters_and_lone_surrogates_are_refused(app, client, alice, paper_id):
    path = f"/papers/{paper_id}/summaries"
    assert "NUL" in error_of(call(client, "POST", path, alice.token, raw='{"source": "a\\u0000b"}'), 400)
    assert "surrogate" in error_of(call(client, "POST", path, alice.token, raw='{"source": "a\\ud800b"}'), 400)
    assert call(client, "GET", f"/papers/{paper_id}/summaries").get_json()["summaries"] == []


def test_unknown_api_paths_are_json_404s(app, client):
    for path in ("/api/v1/nothing", "/api/v1/papers/", "/api/v1/summaries/x/y/z", "/api/v1"):
        error_of(client.get(path), 404)


def test_wrong_methods_are_json_405s_with_allow(app, client, summary_id):
    response = call(client, "POST", f"/summaries/{summary_id}")
    error_of(response, 405)
    assert {"GET", "PATCH", "DELETE"} <= {m.strip() for m in response.headers["Allow"].split(",")}
    error_of(call(client, "GET", "/papers"), 405)


def test_too_large_a_body_is_a_json_413(app, client, alice, paper_id):
    limit = app.config["MAX_CONTENT_LENGTH"]
    response = call(client, "POST", f"/papers/{paper_id}/summaries", alice.token, raw="x" * (limit + 1))
    error_of(response, 413)


def test_a_summary_over_the_size_limit_is_a_400(app, client, alice, paper_id):
    response = call(client, "POST", f"/papers/{paper_id}/summaries", alice.token, {"source": "x" * 100_001})
    assert "limit" in error_of(response, 400)


def test_an_unexpected_error_is_a_json_500_without_details(app, client, paper_id, monkeypatch):
    from fediscience.papers import services

    def broken(public_id):
        raise RuntimeError("secret detail")

    monkeypatch.setattr(services, "get_paper", broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.get(f"/api/v1/papers/{paper_id}")
    assert "secret" not in error_of(response, 500)


def test_pages_outside_the_api_keep_html_errors(app, client):
    for response in (client.get("/no-such-page"), client.get("/s/unknown"), client.post("/search")):
        assert response.status_code in (404, 405)
        assert response.mimetype == "text/html"
