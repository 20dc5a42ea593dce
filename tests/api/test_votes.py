"""Votes through the API: cast, change, withdraw; never on one's own or unpublished summaries."""

from __future__ import annotations

from tests.api.conftest import call, error_of, write_summary


def test_voting_changing_and_withdrawing(app, client, bob, summary_id):
    response = call(client, "PUT", f"/summaries/{summary_id}/vote", bob.token, {"value": 1})
    assert response.get_json() == {"summary": summary_id, "vote": 1, "score": 1, "upvotes": 1, "downvotes": 0}
    again = call(client, "PUT", f"/summaries/{summary_id}/vote", bob.token, {"value": 1}).get_json()
    assert again["score"] == 1
    changed = call(client, "PUT", f"/summaries/{summary_id}/vote", bob.token, {"value": -1}).get_json()
    assert (changed["score"], changed["upvotes"], changed["downvotes"]) == (-1, 0, 1)
    assert call(client, "DELETE", f"/summaries/{summary_id}/vote", bob.token).status_code == 204
    assert call(client, "GET", f"/summaries/{summary_id}").get_json()["score"] == 0
    assert call(client, "DELETE", f"/summaries/{summary_id}/vote", bob.token).status_code == 204


def test_a_vote_is_plus_or_minus_one(app, client, bob, summary_id):
    for value in (0, 2, -2, True, 1.0, "1", 10**400):
        error_of(call(client, "PUT", f"/summaries/{summary_id}/vote", bob.token, {"value": value}), 400)
    assert call(client, "GET", f"/summaries/{summary_id}").get_json()["score"] == 0


def test_no_vote_on_ones_own_summary(app, client, alice, summary_id):
    assert "own" in error_of(call(client, "PUT", f"/summaries/{summary_id}/vote", alice.token, {"value": 1}), 403)


def test_no_vote_on_a_hidden_or_unknown_summary(app, client, alice, bob, paper_id):
    draft = write_summary(client, alice.token, paper_id, "Draft.", draft=True)
    error_of(call(client, "PUT", f"/summaries/{draft}/vote", bob.token, {"value": 1}), 404)
    error_of(call(client, "PUT", "/summaries/nosuchsummary/vote", bob.token, {"value": 1}), 404)
    error_of(call(client, "DELETE", "/summaries/nosuchsummary/vote", bob.token), 404)
