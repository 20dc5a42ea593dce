"""ada's later changes, as Mastodon 4.4 processes them: a summary edit arrives as an Update whose `updated` is newer
than the last one (Mastodon ignores any other), a deleted summary or comment as a Delete of a Tombstone, and the
deleted summary's URL answers 410 afterwards."""

from __future__ import annotations

import httpx
import pytest

from tests.federation_e2e import flows
from tests.federation_e2e.conftest import Instance
from tests.federation_peer.conftest import OurUser, Publication, Thread, no_problems
from tests.federation_peer.mastodon_peer import MastodonPeer
from tests.federation_peer.mastodon_sanitizer import normalized

pytestmark = pytest.mark.slow


def test_a_summary_edit_reaches_mastodon_as_an_update_it_applies(
    ada: OurUser, peer: MastodonPeer, published: Publication
) -> None:
    summary = published.by_number(9)
    flows.edit_summary(ada.web, summary.public_id, summary.seed.text + "\n\nAddendum: the bound is $O(\\sqrt{n})$.")
    status = peer.state.remote_statuses[summary.url]
    peer.wait_for("the edit at the peer", lambda: status.edited_at)
    assert status.activity["type"] == "Update" and status.activity["actor"] == ada.actor_url
    assert "$O(\\sqrt{n})$" in status.text and normalized("Addendum: the bound is") in normalized(status.text)
    assert summary.title in status.text
    no_problems(peer)


def test_a_deleted_summary_is_deleted_on_mastodon_and_answers_410(
    ours: Instance, ada: OurUser, peer: MastodonPeer, published: Publication
) -> None:
    summary = published.by_number(10)
    flows.delete_summary(ada.web, summary.public_id)
    peer.wait_for("the Delete at the peer", lambda: peer.state.remote_statuses[summary.url].deleted)
    delete = next(r.activity for r in peer.state.received
                  if r.activity and r.activity.get("type") == "Delete" and r.activity["object"]["id"] == summary.url)
    assert delete["object"]["type"] == "Tombstone" and delete["actor"] == ada.actor_url
    gone = httpx.get(summary.url, headers={"Accept": "application/activity+json"}, timeout=10)
    assert gone.status_code == 410 and gone.json()["type"] == "Tombstone" and gone.json()["id"] == summary.url
    no_problems(peer)


def test_a_summary_made_private_then_public_again_comes_back_on_mastodon(
    ada: OurUser, peer: MastodonPeer, published: Publication
) -> None:
    """Mastodon keeps a tombstone of the id it was told to delete and drops a Create of it (create.rb), so the
    summary's second publication carries a new Note id, which the peer shows again."""
    summary = published.by_number(12)
    flows.edit_summary_visibility(ada.web, summary.public_id, summary.seed.text, private=True)
    peer.wait_for("the Delete at the peer", lambda: peer.state.remote_statuses[summary.url].deleted)
    flows.edit_summary_visibility(ada.web, summary.public_id, summary.seed.text, private=False)
    again = f"{summary.url}/v/1"
    peer.wait_for("the new publication at the peer", lambda: again in peer.state.remote_statuses)
    status = peer.state.remote_statuses[again]
    assert not status.deleted and summary.title in status.text
    assert summary.url in peer.state.tombstones
    no_problems(peer)


def test_a_deleted_comment_is_deleted_on_mastodon(ada: OurUser, peer: MastodonPeer, thread: Thread) -> None:
    comment_id = flows.comment(ada.web, thread.summary.public_id, "A passing remark.", parent=thread.direct_id)
    uri = thread.answer_uri.rsplit("/", 1)[0] + f"/{comment_id}"
    peer.wait_for("the remark at the peer", lambda: uri in peer.state.remote_statuses)
    response = ada.web.submit(f"/s/{thread.summary.public_id}", {}, action=f"/c/{comment_id}/delete")
    assert response.status_code == 302, response.text[:2000]
    peer.wait_for("the remark's Delete at the peer", lambda: peer.state.remote_statuses[uri].deleted)
    no_problems(peer)
