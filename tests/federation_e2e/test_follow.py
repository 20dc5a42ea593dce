"""Following across instances: B's user finds @alice@A from the search box and follows; A accepts."""

from __future__ import annotations

import pytest

from tests.system import harness

pytestmark = pytest.mark.slow


def test_a_user_on_b_follows_a_user_on_a(instances):
    a, b = instances["a"], instances["b"]
    a.web.register("alice")
    b.web.register("bob")
    found = b.web.http.get("/search", params={"q": f"@alice@{a.host}"})
    assert found.status_code == 302, found.text[:2000]
    actor_page = found.headers["location"]
    page = b.web.http.get(actor_page)
    assert page.status_code == 200 and "alice" in page.text
    token = harness.CSRF.search(page.text).group(1)
    followed = b.web.http.post(actor_page + "/follow", data={"csrf_token": token})
    assert followed.status_code == 302

    harness.wait_for("A to record bob as a follower", lambda: _states(
        a, "SELECT f.state FROM follows f JOIN actors x ON x.id = f.follower_id WHERE x.username = 'bob'"
    ) == ["accepted"] or None)
    harness.wait_for("B to see the follow accepted", lambda: _states(
        b, "SELECT f.state FROM follows f JOIN actors x ON x.id = f.followee_id WHERE x.username = 'alice'"
    ) == ["accepted"] or None)
    followers = a.web.http.get(f"/u/{_public_id(a, 'alice')}/followers", headers={"Accept": "application/activity+json"})
    assert followers.status_code == 200 and followers.json()["totalItems"] == 1


def _states(instance, sql: str) -> list[str]:
    return [row[0] for row in instance.query(sql)]


def _public_id(instance, username: str) -> str:
    return instance.query("SELECT public_id FROM actors WHERE username = :u AND local", u=username)[0][0]
