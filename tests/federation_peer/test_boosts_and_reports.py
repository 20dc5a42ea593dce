"""Step 3, last part: a boost (Announce, to the shared inbox) and its Undo, counted in the summary's `shares`; a
report (Flag from the peer's instance actor, to ada's own inbox) in our moderation queue. Each test works on a
summary of its own."""

from __future__ import annotations

import pytest

from tests.federation_e2e.conftest import Instance
from tests.federation_peer.conftest import Followed, OurUser, Publication, collection, inbox_status, no_problems
from tests.federation_peer.mastodon_peer import MastodonPeer

pytestmark = pytest.mark.slow


def test_a_boost_is_listed_in_the_summary_shares(
    ours: Instance, peer: MastodonPeer, followed: Followed, published: Publication
) -> None:
    summary = published.by_number(6)
    announce, answer = peer.boost(summary.url, followed.account)
    assert answer.status_code == 202 and announce["id"].endswith("/activity")
    assert inbox_status(ours, announce["id"]) == ("done", None)
    shares = collection(ours, f"{summary.url}/shares")
    assert shares["totalItems"] == 1 and shares["items"] == [announce["id"]]
    note = peer.client.fetch_resource(summary.url, True)
    assert note is not None and note["shares"]["totalItems"] == 1, "Mastodon 4.4 reads the count from the Note"
    no_problems(peer)


def test_an_undone_boost_leaves_the_shares(
    ours: Instance, peer: MastodonPeer, followed: Followed, published: Publication
) -> None:
    summary = published.by_number(7)
    announce, _ = peer.boost(summary.url, followed.account)
    assert inbox_status(ours, announce["id"]) == ("done", None)
    undo, answer = peer.unboost(announce, followed.account)
    assert answer.status_code == 202 and undo["object"]["id"] == announce["id"]
    assert inbox_status(ours, undo["id"]) == ("done", None)
    shares = collection(ours, f"{summary.url}/shares")
    assert shares["totalItems"] == 0 and shares["items"] == []
    no_problems(peer)


def test_a_report_from_the_instance_actor_reaches_the_moderation_queue(
    ours: Instance, ada: OurUser, peer: MastodonPeer, followed: Followed, published: Publication
) -> None:
    summary = published.by_number(8)
    flag, answer = peer.report(followed.account, [summary.url], "This summary copies the abstract word for word.")
    assert answer.status_code == 202, answer.text
    assert inbox_status(ours, flag["id"]) == ("done", None)
    rows = ours.query(
        "SELECT r.content, r.targets, r.status, a.uri FROM reports r JOIN actors a ON a.id = r.reporter_id "
        "WHERE r.uri = :u", u=flag["id"],
    )
    assert len(rows) == 1, rows
    content, targets, status, reporter = rows[0]
    assert content == "This summary copies the abstract word for word." and status == "open"
    assert reporter == peer.instance.uri
    reported = {(t["kind"], t["uri"]) for t in targets}
    assert reported == {("actor", ada.actor_url), ("summary", summary.url)}, targets
    no_problems(peer)
