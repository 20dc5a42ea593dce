"""Changes in the life of an account or a summary, between two FediScience instances (separate server and worker
processes, real HTTP): a user's key is rotated with the real CLI and the follower's instance takes the new key
without a refollow; a summary made private disappears from the other instance and comes back, under a new Note id,
when it is public again; and both instances in secure mode (authorized fetch) still follow, publish and comment.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from tests.federation_e2e import flows
from tests.federation_e2e.conftest import SETTINGS, Instance, running_instances
from tests.system import harness

pytestmark = pytest.mark.slow

AS_ACCEPT = "application/activity+json"
SETTLE = timedelta(seconds=float(SETTINGS["key_rotation_settle"]))

_FOLLOW_ON_B = ("SELECT f.uri, f.state FROM follows f JOIN actors x ON x.id = f.followee_id "
                "WHERE x.username = :u AND x.domain = :d")
_FOLLOW_ON_A = ("SELECT f.state FROM follows f JOIN actors x ON x.id = f.follower_id "
                "JOIN actors y ON y.id = f.followee_id WHERE x.username = :follower AND x.domain = :d "
                "AND y.username = :followee AND y.local")
_CREATE_DELIVERY = ("SELECT d.state, d.tries, d.last_status, d.finished_at FROM deliveries d "
                    "JOIN activities x ON x.id = d.activity_id WHERE x.activity_type = 'Create' AND x.object_uri = :u")


@pytest.fixture(scope="module")
def secure_instances(recorded_base: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Instance]]:
    """A second pair, "a" and "b", both with FEDISCIENCE_AUTHORIZED_FETCH=1 (Mastodon's secure mode)."""
    with running_instances("ab", recorded_base, tmp_path_factory, authorized_fetch="1") as started:
        yield started


def actor_url(instance: Instance, username: str) -> str:
    """A local user's actor id."""
    public_id = instance.scalar("SELECT public_id FROM actors WHERE username = :u AND local", u=username)
    assert public_id, f"{instance.name} has no local user {username}"
    return f"{instance.base_url}/u/{public_id}"


def inbox_item(instance: Instance, activity_uri: str) -> tuple[str, str | None] | None:
    """(status, error) of the inbox item with this activity id, or None."""
    rows = instance.query("SELECT status, error FROM inbox_items WHERE activity_uri = :u", u=activity_uri)
    return tuple(rows[0]) if rows else None  # type: ignore[return-value]


def test_a_key_rotated_on_a_reaches_b_and_the_follow_survives(instances):
    a, b = instances["a"], instances["b"]
    rosa, ben = a.client(), b.client()
    rosa.register("rosa")
    ben.register("ben")
    flows.follow(b, ben, a, "rosa")
    rosa_url = actor_url(a, "rosa")
    old_pem = a.scalar("SELECT public_key_pem FROM actors WHERE username = 'rosa' AND local")
    assert b.scalar("SELECT public_key_pem FROM actors WHERE uri = :u", u=rosa_url) == old_pem
    [(follow_uri, _)] = b.query(_FOLLOW_ON_B, u="rosa", d=a.host)
    paper = flows.add_paper(a, rosa, "1512.03385")  # before the rotation: the summary follows it at once

    result = harness.run_cli(a.env, "keys", "rotate", "rosa")
    assert result.returncode == 0, harness.describe(result)
    assert "queued for 1 inbox(es)" in result.stdout, result.stdout  # B's shared inbox
    new_pem = a.scalar("SELECT public_key_pem FROM actors WHERE username = 'rosa' AND local")
    assert new_pem != old_pem
    update_uri, signing_key = a.query("SELECT uri, signing_key_id FROM activities WHERE activity_type = 'Update' "
                                      "AND object_uri = :u", u=rosa_url)[0]
    assert signing_key is not None, "the Update is not signed with the retired key"
    retired_at = a.scalar("SELECT retired_at FROM retired_keys WHERE public_key_pem = :p", p=old_pem)

    # rosa publishes at once: the Create waits for the rotation to settle, then goes signed with the new key.
    summary = flows.write_summary(rosa, paper, "Keys change, followers stay: $k_{t+1} = f(k_t)$.")
    summary_uri = f"{a.base_url}/s/{summary}"

    # B verifies the Update with the old key it holds and stores the new key.
    flows.wait("B to process the Update of rosa", lambda: inbox_item(b, update_uri) == ("done", None), a, b)
    assert a.query("SELECT d.state, d.tries, d.last_status FROM deliveries d JOIN activities x ON x.id = d.activity_id "
                   "WHERE x.uri = :u", u=update_uri) == [("done", 1, 202)]
    assert b.scalar("SELECT public_key_pem FROM actors WHERE uri = :u", u=rosa_url) == new_pem

    # The follow is untouched on both sides: no Undo, no new Follow.
    assert b.query(_FOLLOW_ON_B, u="rosa", d=a.host) == [(follow_uri, "accepted")]
    assert a.query(_FOLLOW_ON_A, follower="ben", d=b.host, followee="rosa") == [("accepted",)]
    assert a.query("SELECT activity_type FROM inbox_items WHERE actor_uri = :u ORDER BY id",
                   u=actor_url(b, "ben")) == [("Follow",)], "B sent something more than its one Follow"

    # The summary arrives, and its Create verified with the new key at the first try.
    flows.wait(f"B to store rosa's summary {summary_uri}", lambda: flows.remote_summary(b, summary_uri), a, b)
    state, tries, status, finished_at = flows.wait("A to record the Create's delivery", lambda: next(
        (row for row in a.query(_CREATE_DELIVERY, u=summary_uri) if row[0] == "done"), None), a, b)
    assert (tries, status) == (1, 202), f"the Create was refused before it was accepted: {(state, tries, status)}"
    assert finished_at >= retired_at + SETTLE, "the Create left before the rotation settled"
    create_uri = a.scalar("SELECT uri FROM activities WHERE activity_type = 'Create' AND object_uri = :u",
                          u=summary_uri)
    assert inbox_item(b, create_uri) == ("done", None)
    received = "SELECT received_at FROM inbox_items WHERE activity_uri = :u"
    update_received, create_received = (b.scalar(received, u=uri) for uri in (update_uri, create_uri))
    assert update_received < create_received
    assert b.scalar("SELECT public_key_pem FROM actors WHERE uri = :u", u=rosa_url) == new_pem


def test_a_summary_made_private_leaves_b_and_comes_back_under_a_new_note_id(instances):
    a, b = instances["a"], instances["b"]
    lena, max_ = a.client(), b.client()
    lena.register("lena")
    max_.register("max")
    flows.follow(b, max_, a, "lena")
    text = "Reproducing intuition: summaries **travel**, then go quiet, then travel again."
    summary = flows.write_summary(lena, flows.add_paper(a, lena, "1707.06684"), text)
    uri = f"{a.base_url}/s/{summary}"
    first_b = flows.wait(f"B to store lena's summary {uri}", lambda: flows.remote_summary(b, uri), a, b)[0]

    flows.edit_summary_visibility(lena, summary, text, private=True)
    flows.wait("B to remove the summary made private", lambda: flows.remote_summary(b, uri) is None, a, b)
    assert b.query("SELECT former_type FROM tombstones WHERE uri = :u", u=uri) == [("Note",)]
    assert b.client().http.get(f"/s/{first_b}").status_code == 404

    flows.edit_summary_visibility(lena, summary, text, private=False)
    again = f"{uri}/v/1"
    copy = flows.wait(f"B to store the summary again as {again}", lambda: flows.remote_summary(b, again), a, b)
    second_b, _, source, _ = copy
    assert source == text
    assert b.query("SELECT uri FROM summaries WHERE uri LIKE :prefix", prefix=f"{uri}%") == [(again,)]
    page = b.client().http.get(f"/s/{second_b}")
    assert page.status_code == 200, page.status_code
    assert "then go quiet, then travel again" in page.text and "<strong>travel</strong>" in page.text, page.text[:5000]
    assert b.query("SELECT count(*) FROM tombstones WHERE uri = :u", u=again) == [(0,)]


def test_both_instances_in_secure_mode_follow_publish_and_comment(secure_instances):
    a, b = secure_instances["a"], secure_instances["b"]
    ines, otto = a.client(), b.client()
    ines.register("ines")
    otto.register("otto")
    flows.follow(b, otto, a, "ines")
    assert a.query(_FOLLOW_ON_A, follower="otto", d=b.host, followee="ines") == [("accepted",)]

    paper = flows.add_paper(a, ines, "1608.08967")
    summary = flows.write_summary(ines, paper, "Random noise is *weaker*: $\\|r\\|_2$.")
    uri = f"{a.base_url}/s/{summary}"
    summary_b = flows.wait(f"B to store ines's summary {uri}", lambda: flows.remote_summary(b, uri), a, b)[0]

    comment_b = flows.comment(otto, summary_b, "Signed all the way down?")
    comment_uri = f"{b.base_url}/c/{comment_b}"
    rows = flows.wait("otto's comment to reach A", lambda: a.query(
        "SELECT s.public_id, c.source FROM comments c JOIN summaries s ON s.id = c.summary_id WHERE c.uri = :u",
        u=comment_uri), a, b)
    assert rows == [(summary, "Signed all the way down?")], rows
    page = a.client().http.get(f"/s/{summary}")
    assert page.status_code == 200 and "Signed all the way down?" in page.text and f"@otto@{b.host}" in page.text

    unsigned = a.client().http.get(f"/s/{summary}", headers={"Accept": AS_ACCEPT})
    assert unsigned.status_code == 401, (unsigned.status_code, unsigned.text[:500])
    assert "error" in unsigned.json()
    html = a.client().http.get(f"/s/{summary}", headers={"Accept": "text/html"})
    assert html.status_code == 200 and "weaker" in html.text
