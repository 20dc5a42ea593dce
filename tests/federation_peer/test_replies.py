"""Steps 3 and 4: replies from the Mastodon-shaped peer become threaded comments on our pages (with the remote
author's name, handle and a link to the original) and in our `replies` collections; ada's answer reaches Mastodon
as a reply Note that mentions and notifies mara."""

from __future__ import annotations

import html
import re

import pytest

from tests.federation_e2e.conftest import Instance
from tests.federation_peer.conftest import (
    ANSWER_TEXT,
    DIRECT_TEXT,
    NESTED_TEXT,
    OurUser,
    Thread,
    collection,
    comment_html,
    comment_parents,
    no_problems,
    page,
)
from tests.federation_peer.mastodon_model import PUBLIC
from tests.federation_peer.mastodon_peer import MastodonPeer
from tests.federation_peer.mastodon_sanitizer import normalized

pytestmark = pytest.mark.slow


def test_a_direct_reply_shows_on_the_summary_page_with_its_author_and_original(
    ours: Instance, peer: MastodonPeer, thread: Thread
) -> None:
    assert thread.direct_answer.status_code == 202, thread.direct_answer.text
    assert thread.direct_inbox == ("done", None)
    shown = page(ours, f"/s/{thread.summary.public_id}")
    assert comment_parents(shown)[thread.direct_id] is None, "a reply to the summary sits at the top of its thread"
    markup = comment_html(shown, thread.direct_id)
    assert html.escape(DIRECT_TEXT, quote=False) in markup
    assert peer.user.display_name in markup and f"@{peer.user.username}@{peer.host}" in markup
    assert f'href="{thread.direct["url"]}"' in markup, "a link to the original on Mastodon"
    rendered = markup.split('class="rendered"', 1)[1]
    assert "&lt;" not in rendered, f"Mastodon's mention markup must not show as text: {rendered}"
    assert f"@ada {DIRECT_TEXT}" in " ".join(re.sub(r"<[^>]+>", "", rendered).split())
    no_problems(peer)


def test_the_summary_replies_collection_lists_the_mastodon_reply(
    ours: Instance, peer: MastodonPeer, thread: Thread
) -> None:
    replies = collection(ours, f"{thread.summary.url}/replies")
    assert replies["totalItems"] == 1 and replies["items"] == [thread.direct["id"]]
    # Mastodon 4.4's reply walk (FETCH_REPLIES_ENABLED): signed fetches, pages on the summary's host only.
    walked = peer.client.collection_items(f"{thread.summary.url}/replies", max_pages=2,
                                          reference_uri=thread.summary.url)
    assert walked == [thread.direct["id"]]
    no_problems(peer)


def test_our_answer_reaches_mastodon_as_a_reply_that_mentions_and_notifies(
    ada: OurUser, peer: MastodonPeer, thread: Thread
) -> None:
    status = thread.answer_status
    note = status.note
    assert status.account_uri == ada.actor_url and status.signer_key_id == f"{ada.actor_url}#main-key"
    assert status.activity["type"] == "Create" and note["type"] == "Note"
    assert status.in_reply_to == thread.direct["id"], "inReplyTo is mara's status id"
    mentions = [t for t in note.get("tag", []) if t.get("type") == "Mention"]
    assert {"type": "Mention", "href": peer.user.uri, "name": f"@{peer.user.username}@{peer.host}"} in mentions
    assert peer.user.uri in note["cc"] and note["to"] == [PUBLIC]
    assert status.visibility == "public"
    assert {"type": "mention", "status": thread.answer_uri, "from": ada.actor_url} in peer.state.notifications
    assert status.text.startswith(f"@{peer.user.username} Yes:"), "the reply opens with mara's @mention"
    [mention] = [a for a in re.findall(r"<a [^>]*>", status.sanitized) if "mention" in a]
    assert 'class="u-url mention"' in mention and f'href="{peer.user.url}"' in mention
    for formula in ("$W \\ge 0$", "$H \\ge 0$"):
        assert formula in status.text, f"Mastodon 4.4 shows {formula} in {status.text!r}"
    assert normalized("each column of") in normalized(status.text)
    no_problems(peer)


def test_a_nested_reply_is_threaded_under_our_answer(ours: Instance, peer: MastodonPeer, thread: Thread) -> None:
    assert thread.nested_answer.status_code == 202 and thread.nested_inbox == ("done", None)
    parents = comment_parents(page(ours, f"/s/{thread.summary.public_id}"))
    assert parents[thread.answer_id] == thread.direct_id
    assert parents[thread.nested_id] == thread.answer_id
    shown = comment_html(page(ours, f"/s/{thread.summary.public_id}"), thread.nested_id)
    assert html.escape(NESTED_TEXT, quote=False) in shown and f'href="{thread.nested["url"]}"' in shown
    answer_replies = collection(ours, f"{thread.answer_uri}/replies")
    assert answer_replies["totalItems"] == 1 and answer_replies["items"] == [thread.nested["id"]]
    no_problems(peer)


def test_our_answer_is_fetchable_as_mastodon_fetches_it(ours: Instance, peer: MastodonPeer, thread: Thread) -> None:
    note = peer.client.fetch_resource(thread.answer_uri, True)
    assert note is not None and note["inReplyTo"] == thread.direct["id"]
    assert ANSWER_TEXT.split(":")[0] in note["content"]
    no_problems(peer)
