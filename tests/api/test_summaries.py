"""Summaries through the API: write, read, edit, delete; drafts and private ones stay with their author."""

from __future__ import annotations

from sqlalchemy import func, select

from fediscience.db import db
from fediscience.summaries.models import Summary, SummaryRevision
from tests.api.conftest import call, error_of, write_summary


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(model.id)))


def test_writing_a_summary_returns_it_rendered(app, client, alice, paper_id):
    response = call(client, "POST", f"/papers/{paper_id}/summaries", alice.token, {"source": "Loss $x^2$."})
    assert response.status_code == 201
    data = response.get_json()
    assert response.headers["Location"] == f"http://localhost/api/v1/summaries/{data['id']}"
    assert data["url"] == f"http://localhost/s/{data['id']}"
    assert data["source"] == "Loss $x^2$." and "<math" in data["html"]
    assert data["paper"]["id"] == paper_id and data["paper"]["identifiers"]["arxiv"] == "1707.06684"
    profile = f"http://localhost/u/{alice.public_id}"
    assert data["author"] == {"id": alice.public_id, "username": "alice", "display_name": "alice", "url": profile}
    assert (data["draft"], data["private"]) == (False, False)
    assert (data["score"], data["upvotes"], data["downvotes"]) == (0, 0, 0)
    assert data["published_at"] and data["created_at"].endswith("+00:00") and data["share_token"]


def test_one_summary_per_paper_is_a_409(app, client, alice, paper_id, summary_id):
    response = call(client, "POST", f"/papers/{paper_id}/summaries", alice.token, {"source": "Again."})
    assert "already" in error_of(response, 409)
    assert count(app, Summary) == 1


def test_writing_about_an_unknown_paper_or_nothing_fails_cleanly(app, client, alice, paper_id):
    error_of(call(client, "POST", "/papers/nosuchpaper/summaries", alice.token, {"source": "Text"}), 404)
    error_of(call(client, "POST", f"/papers/{paper_id}/summaries", alice.token, {"source": "   "}), 400)
    error_of(call(client, "POST", f"/papers/{paper_id}/summaries", alice.token, {}), 400)
    assert count(app, Summary) == 0


def test_anyone_reads_a_public_summary_without_its_share_token(app, client, bob, summary_id):
    for token in (None, bob.token):
        data = call(client, "GET", f"/summaries/{summary_id}", token).get_json()
        assert data["id"] == summary_id and "share_token" not in data
    error_of(call(client, "GET", "/summaries/nosuchsummary"), 404)


def test_drafts_are_visible_to_their_author_only(app, client, alice, bob, paper_id):
    draft = write_summary(client, alice.token, paper_id, "Secret draft.", draft=True)
    assert call(client, "GET", f"/summaries/{draft}", alice.token).get_json()["draft"] is True
    share = call(client, "GET", f"/summaries/{draft}", alice.token).get_json()["share_token"]
    for token in (None, bob.token):
        error_of(call(client, "GET", f"/summaries/{draft}", token), 404)
        error_of(call(client, "GET", f"/summaries/{draft}?share={share}", token), 404)  # drafts are never shared
        error_of(call(client, "GET", f"/summaries/{draft}/comments", token), 404)


def test_private_summaries_need_the_share_token(app, client, alice, bob, paper_id):
    private = write_summary(client, alice.token, paper_id, "Private notes.", private=True)
    share = call(client, "GET", f"/summaries/{private}", alice.token).get_json()["share_token"]
    error_of(call(client, "GET", f"/summaries/{private}", bob.token), 404)
    error_of(call(client, "GET", f"/summaries/{private}?share=wrong", bob.token), 404)
    data = call(client, "GET", f"/summaries/{private}?share={share}", bob.token).get_json()
    assert data["source"] == "Private notes." and "share_token" not in data


def test_editing_is_partial_and_keeps_revisions(app, client, alice, summary_id):
    response = call(client, "PATCH", f"/summaries/{summary_id}", alice.token, {"private": True})
    data = response.get_json()
    assert response.status_code == 200 and data["private"] is True and data["source"] == "A fine summary with $x^2$."
    data = call(client, "PATCH", f"/summaries/{summary_id}", alice.token, {"source": "New *text*."}).get_json()
    assert data["private"] is True and data["html"] == "<p>New <em>text</em>.</p>\n"
    assert count(app, SummaryRevision) == 2


def test_another_users_summary_cannot_be_changed(app, client, bob, summary_id):
    assert "author" in error_of(call(client, "PATCH", f"/summaries/{summary_id}", bob.token, {"source": "Mine!"}), 403)
    error_of(call(client, "DELETE", f"/summaries/{summary_id}", bob.token), 403)
    assert call(client, "GET", f"/summaries/{summary_id}").get_json()["source"] == "A fine summary with $x^2$."


def test_another_users_draft_is_a_404_not_a_403(app, client, alice, bob, paper_id):
    draft = write_summary(client, alice.token, paper_id, "Draft.", draft=True)
    error_of(call(client, "PATCH", f"/summaries/{draft}", bob.token, {"draft": False}), 404)
    error_of(call(client, "DELETE", f"/summaries/{draft}", bob.token), 404)


def test_an_edit_over_the_size_limit_changes_nothing(app, client, alice, summary_id):
    response = call(client, "PATCH", f"/summaries/{summary_id}", alice.token, {"source": "é" * 50_001, "draft": True})
    assert "limit" in error_of(response, 400)
    data = call(client, "GET", f"/summaries/{summary_id}").get_json()
    assert data["draft"] is False and data["source"] == "A fine summary with $x^2$."


def test_deleting_a_summary(app, client, alice, summary_id):
    response = call(client, "DELETE", f"/summaries/{summary_id}", alice.token)
    assert response.status_code == 204 and response.get_data() == b""
    error_of(call(client, "GET", f"/summaries/{summary_id}"), 404)
    error_of(call(client, "DELETE", f"/summaries/{summary_id}", alice.token), 404)
    assert count(app, Summary) == 0
