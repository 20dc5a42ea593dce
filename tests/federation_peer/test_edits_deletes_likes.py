"""Step 3, continued: Mastodon's Update (an edit with a newer `updated`), Delete{Tombstone} and Like / Undo{Like},
sent by the peer as Mastodon sends them, and their effects on our pages and collections. Each test works on a
summary of its own."""

from __future__ import annotations

import html
import time
from datetime import datetime, timezone

import pytest

from tests.federation_e2e import flows
from tests.federation_e2e.conftest import Instance
from tests.federation_peer.conftest import (
    Followed,
    OurUser,
    Publication,
    collection,
    comment_html,
    comment_parents,
    inbox_status,
    no_problems,
    page,
)
from tests.federation_peer.mastodon_peer import MastodonPeer
from tests.federation_peer.mastodon_signatures import POST_HEADERS_44

pytestmark = pytest.mark.slow


def _reply(ours: Instance, peer: MastodonPeer, followed: Followed, target: str, text: str) -> tuple[dict, str]:
    note, answer = peer.reply(target, text, [followed.account])
    assert answer.status_code == 202, answer.text
    assert inbox_status(ours, f"{note['id']}/activity") == ("done", None)
    public_id = ours.scalar("SELECT public_id FROM comments WHERE uri = :u", u=note["id"])
    assert public_id
    return note, public_id


def test_an_edit_of_a_reply_shows_on_the_summary_page(
    ours: Instance, peer: MastodonPeer, followed: Followed, published: Publication
) -> None:
    summary = published.by_number(1)
    note, public_id = _reply(ours, peer, followed, summary.url, "First thoughts: the bound looks loose.")
    time.sleep(1.1)  # Mastodon's `updated` has whole seconds: the edit must be a later second
    edited, answer = peer.edit(note, "Second thoughts: the bound is tight for linear classifiers.", [followed.account])
    assert answer.status_code == 202 and edited["updated"] > note["published"]
    assert inbox_status(ours, f"{note['id']}#updates/{_epoch(edited['updated'])}") == ("done", None)
    markup = comment_html(page(ours, f"/s/{summary.public_id}"), public_id)
    assert "Second thoughts: the bound is tight" in markup and "First thoughts" not in markup
    assert 'class="edited"' in markup
    no_problems(peer)


def test_an_update_older_than_the_last_edit_changes_nothing(
    ours: Instance, peer: MastodonPeer, followed: Followed, published: Publication
) -> None:
    summary = published.by_number(2)
    note, public_id = _reply(ours, peer, followed, summary.url, "Draft one of my question.")
    time.sleep(1.1)
    edited, _ = peer.edit(note, "Draft two of my question.", [followed.account])
    assert inbox_status(ours, f"{note['id']}#updates/{_epoch(edited['updated'])}") == ("done", None)
    published_at = datetime.strptime(note["published"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    stale, answer = peer.edit(note, "A stale replay of draft one.", [followed.account], updated=published_at)
    assert answer.status_code == 202
    status, _ = inbox_status(ours, f"{note['id']}#updates/{_epoch(stale['updated'])}")
    assert status == "ignored", "Mastodon applies an edit only when `updated` is newer than the stored one"
    markup = comment_html(page(ours, f"/s/{summary.public_id}"), public_id)
    assert "Draft two of my question." in markup and "stale replay" not in markup


def test_a_deleted_reply_disappears_and_stays_deleted(
    ours: Instance, peer: MastodonPeer, followed: Followed, published: Publication
) -> None:
    summary = published.by_number(3)
    text = "A reply that its author will delete."
    note, public_id = _reply(ours, peer, followed, summary.url, text)
    assert collection(ours, f"{summary.url}/replies")["items"] == [note["id"]]
    answer = peer.delete(note, [followed.account])
    assert answer.status_code == 202
    assert inbox_status(ours, f"{note['id']}#delete") == ("done", None)
    shown = page(ours, f"/s/{summary.public_id}")
    assert text not in shown and f"c-{public_id}" not in shown
    replies = collection(ours, f"{summary.url}/replies")
    assert replies["totalItems"] == 0 and replies["items"] == []

    # A replayed Create of the deleted id must not bring it back (Mastodon keeps a Tombstone too).
    create = next(s.activity for s in peer.state.sent if s.activity.get("id") == f"{note['id']}/activity")
    replay = {**create, "id": f"{note['id']}/activity-replayed"}
    assert peer.client.deliver(ours.base_url + "/inbox", replay, peer.user).status_code == 202
    assert inbox_status(ours, replay["id"])[0] == "ignored"
    assert text not in page(ours, f"/s/{summary.public_id}")
    no_problems(peer)


def test_a_deleted_reply_with_answers_leaves_a_placeholder(
    ours: Instance, ada: OurUser, peer: MastodonPeer, followed: Followed, published: Publication
) -> None:
    summary = published.by_number(4)
    note, public_id = _reply(ours, peer, followed, summary.url, "A question I will regret asking.")
    answer_id = flows.comment(ada.web, summary.public_id, "An answer that must survive.", parent=public_id)
    peer.wait_for("ada's answer", lambda: f"{ours.base_url}/c/{answer_id}" in peer.state.remote_statuses)
    assert peer.delete(note, [followed.account]).status_code == 202
    assert inbox_status(ours, f"{note['id']}#delete") == ("done", None)
    shown = page(ours, f"/s/{summary.public_id}")
    assert "regret asking" not in shown
    assert '<p class="placeholder">[deleted]</p>' in comment_html(shown, public_id)
    assert comment_parents(shown)[answer_id] == public_id
    assert html.escape("An answer that must survive.") in shown
    no_problems(peer)


def test_a_like_counts_in_likes_and_its_undo_withdraws_it(
    ours: Instance, peer: MastodonPeer, followed: Followed, published: Publication
) -> None:
    summary = published.by_number(5)
    like, answer = peer.like(summary.url, followed.account, order=POST_HEADERS_44)  # Mastodon 4.3+'s header order
    assert answer.status_code == 202 and like["id"].startswith(f"{peer.user.uri}#likes/")
    assert inbox_status(ours, like["id"]) == ("done", None)
    likes = collection(ours, f"{summary.url}/likes")
    assert likes["totalItems"] == 1 and likes["items"] == [like["id"]]
    assert flows.shown_score(page(ours, f"/s/{summary.public_id}")) == 1

    undo, answer = peer.unlike(like, followed.account)
    assert answer.status_code == 202 and undo["object"]["id"] == like["id"]
    assert inbox_status(ours, undo["id"]) == ("done", None)
    likes = collection(ours, f"{summary.url}/likes")
    assert likes["totalItems"] == 0 and likes["items"] == []
    assert flows.shown_score(page(ours, f"/s/{summary.public_id}")) == 0
    no_problems(peer)


def _epoch(iso: str) -> int:
    return int(datetime.strptime(iso, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).timestamp())
