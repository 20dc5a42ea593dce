"""Comments through the API: threads with parent ids, replies, editing and deleting one's own."""

from __future__ import annotations

from fediscience.db import db
from tests.api.conftest import call, error_of, make_api_user, write_summary
from tests.helpers import make_paper


def comment(client, token, summary_id, source, parent=None):
    body = {"source": source} if parent is None else {"source": source, "parent": parent}
    response = call(client, "POST", f"/summaries/{summary_id}/comments", token, body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_commenting_and_replying_builds_a_thread(app, client, alice, bob, summary_id):
    first = comment(client, bob.token, summary_id, "Why $x^2$?")
    assert first["summary"] == summary_id and first["parent"] is None and "<math" in first["html"]
    assert first["author"]["username"] == "bob" and first["url"] == f"http://localhost/c/{first['id']}"
    reply = comment(client, alice.token, summary_id, "Because.", parent=first["id"])
    assert reply["parent"] == first["id"]
    second = comment(client, alice.token, summary_id, "Another point.")
    listing = call(client, "GET", f"/summaries/{summary_id}/comments").get_json()
    assert listing["summary"] == summary_id
    assert [(c["id"], c["parent"]) for c in listing["comments"]] == [
        (first["id"], None), (reply["id"], first["id"]), (second["id"], None)
    ]
    single = call(client, "GET", f"/comments/{reply['id']}").get_json()
    assert single["parent"] == first["id"] and single["source"] == "Because."
    error_of(call(client, "GET", "/comments/nosuchcomment"), 404)


def test_replying_to_an_unknown_comment_or_another_summarys_comment_is_a_400(app, client, alice, bob, summary_id):
    reason = error_of(call(client, "POST", f"/summaries/{summary_id}/comments", bob.token,
                           {"source": "Hi", "parent": "nosuchcomment"}), 400)
    assert "nosuchcomment" in reason
    with app.app_context():
        other_paper = make_paper("Another", arxiv_id="1608.08967").public_id
        db.session.commit()
    other_summary = write_summary(client, bob.token, other_paper)
    elsewhere = comment(client, alice.token, other_summary, "Elsewhere.")
    error_of(call(client, "POST", f"/summaries/{summary_id}/comments", bob.token,
                  {"source": "Hi", "parent": elsewhere["id"]}), 400)
    assert len(call(client, "GET", f"/summaries/{summary_id}/comments").get_json()["comments"]) == 0


def test_comments_on_drafts_are_forbidden(app, client, alice, paper_id):
    draft = write_summary(client, alice.token, paper_id, "Draft.", draft=True)
    error_of(call(client, "POST", f"/summaries/{draft}/comments", alice.token, {"source": "Note to self"}), 403)


def test_editing_and_deleting_ones_comment(app, client, alice, bob, summary_id):
    first = comment(client, bob.token, summary_id, "Fisrt.")
    reply = comment(client, alice.token, summary_id, "Typo!", parent=first["id"])
    edited = call(client, "PATCH", f"/comments/{first['id']}", bob.token, {"source": "First."}).get_json()
    assert edited["source"] == "First." and edited["edited_at"] is not None
    assert call(client, "DELETE", f"/comments/{first['id']}", bob.token).status_code == 204
    comments = call(client, "GET", f"/summaries/{summary_id}/comments").get_json()["comments"]
    assert comments[0] | {"created_at": None} == {
        "id": first["id"], "url": first["url"], "summary": summary_id, "parent": None, "author": None,
        "source": None, "html": None, "deleted": True, "created_at": None, "edited_at": edited["edited_at"],
    }
    assert comments[1]["id"] == reply["id"] and comments[1]["parent"] == first["id"]
    error_of(call(client, "PATCH", f"/comments/{first['id']}", bob.token, {"source": "Back"}), 400)


def test_another_users_comment_cannot_be_changed(app, client, alice, bob, summary_id):
    mine = comment(client, bob.token, summary_id, "Bob's.")
    error_of(call(client, "PATCH", f"/comments/{mine['id']}", alice.token, {"source": "Alice's now"}), 403)
    error_of(call(client, "DELETE", f"/comments/{mine['id']}", alice.token), 403)
    assert call(client, "GET", f"/comments/{mine['id']}").get_json()["source"] == "Bob's."


def test_comments_of_a_summary_gone_private_are_hidden_from_others(app, client, alice, bob, summary_id):
    mine = comment(client, bob.token, summary_id, "Bob's.")
    call(client, "PATCH", f"/summaries/{summary_id}", alice.token, {"private": True})
    error_of(call(client, "GET", f"/comments/{mine['id']}"), 404)
    error_of(call(client, "GET", f"/summaries/{summary_id}/comments"), 404)
    carol = make_api_user(app, "carol")
    error_of(call(client, "DELETE", f"/comments/{mine['id']}", carol.token), 404)
    assert call(client, "DELETE", f"/comments/{mine['id']}", bob.token).status_code == 204
