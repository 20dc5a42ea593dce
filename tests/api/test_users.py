"""Users through the API: profiles with sciscore and public summaries only; /me with everything of one's own."""

from __future__ import annotations

from fediscience.db import db
from tests.api.conftest import call, error_of, write_summary
from tests.helpers import make_paper


def test_a_profile_lists_public_summaries_only(app, client, alice, bob, paper_id):
    with app.app_context():
        other = make_paper("Other", arxiv_id="1608.08967").public_id
        third = make_paper("Third", arxiv_id="1512.03385").public_id
        db.session.commit()
    public = write_summary(client, alice.token, paper_id, "Public.")
    write_summary(client, alice.token, other, "Draft.", draft=True)
    write_summary(client, alice.token, third, "Private.", private=True)
    call(client, "PUT", f"/summaries/{public}/vote", bob.token, {"value": 1})
    for token in (None, bob.token):
        data = call(client, "GET", f"/users/{alice.public_id}", token).get_json()
        assert data["id"] == alice.public_id and data["username"] == "alice" and data["sciscore"] == 1.0
        assert [s["id"] for s in data["summaries"]] == [public]
        assert "email" not in data and "share_token" not in data["summaries"][0]
    by_name = call(client, "GET", "/users/by-name/ALICE").get_json()
    assert by_name["id"] == alice.public_id and len(by_name["summaries"]) == 1
    own = call(client, "GET", f"/users/{alice.public_id}", alice.token).get_json()
    assert len(own["summaries"]) == 3


def test_me_is_the_tokens_user_with_all_their_summaries(app, client, alice, paper_id):
    write_summary(client, alice.token, paper_id, "Draft.", draft=True)
    data = call(client, "GET", "/me", alice.token).get_json()
    assert data["username"] == "alice" and data["email"] == "alice@example.org"
    assert [s["draft"] for s in data["summaries"]] == [True] and data["summaries"][0]["share_token"]


def test_unknown_users_are_404s(app, client):
    error_of(call(client, "GET", "/users/nosuchuser"), 404)
    error_of(call(client, "GET", "/users/by-name/nobody"), 404)
