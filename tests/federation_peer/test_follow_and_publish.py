"""Steps 1 and 2 against the Mastodon-shaped peer: mara follows ada (WebFinger, reverse check, signed Follow, signed
Accept embedding the Follow), then ada's seed summaries reach mara and read, through a model of Mastodon 4.4's
sanitiser, with their title, every paragraph and every formula's TeX."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.federation_e2e.conftest import Instance
from tests.federation_peer.conftest import Followed, OurUser, Publication, no_problems
from tests.federation_peer.mastodon_model import PUBLIC
from tests.federation_peer.mastodon_peer import MastodonPeer
from tests.federation_peer.mastodon_sanitizer import normalized
from tests.federation_peer.mastodon_signatures import sign_request
from tests.federation_peer.seeds import expected_formulas, expected_paragraphs

pytestmark = pytest.mark.slow


def test_the_follow_is_accepted_by_a_signed_accept_that_embeds_it(
    ours: Instance, ada: OurUser, peer: MastodonPeer, followed: Followed
) -> None:
    assert followed.answer.status_code == 202, followed.answer.text
    assert followed.account.uri == ada.actor_url and followed.account.username == "ada"
    assert followed.account.domain == ours.host and followed.account.key_id == f"{ada.actor_url}#main-key"

    accept = peer.state.follows[followed.follow["id"]]["accept"]
    received = next(r for r in peer.state.received if r.activity is accept)
    assert received.status == 202 and received.signer == ada.actor_url
    assert received.key_id == f"{ada.actor_url}#main-key", "the Accept is signed with ada's own key"
    assert accept["type"] == "Accept" and accept["actor"] == ada.actor_url
    embedded = {key: accept["object"][key] for key in ("id", "type", "actor", "object")}
    assert embedded == {key: followed.follow[key] for key in ("id", "type", "actor", "object")}
    assert received.path in ("/inbox", f"/users/{peer.user.username}/inbox")

    # ada resolved mara with signed GETs, and the follow is recorded on our side.
    actor_gets = [s for s in peer.state.served if s.path == f"/users/{peer.user.username}"]
    assert actor_gets and all(s.status == 200 and s.signer == f"{ours.base_url}/actor" for s in actor_gets)
    state = ours.scalar("SELECT f.state FROM follows f JOIN actors a ON a.id = f.follower_id WHERE a.uri = :u",
                        u=peer.user.uri)
    assert state == "accepted"
    no_problems(peer)


def test_every_seed_summary_reaches_mastodon_with_title_paragraphs_and_formulas(
    ada: OurUser, peer: MastodonPeer, published: Publication
) -> None:
    assert len(published.summaries) >= 55
    missing: dict[int, list[str]] = {}
    for item in published.summaries:
        status = item.status
        assert status is not None
        assert status.account_uri == ada.actor_url and status.signer_key_id == f"{ada.actor_url}#main-key"
        assert status.activity["type"] == "Create" and status.note["type"] == "Note"
        assert status.visibility == "public" and status.in_reply_to is None
        assert status.note.get("summary") is None, "a Note's summary is a content warning on Mastodon"
        seen = normalized(status.text)
        wanted = [item.title, *expected_paragraphs(item.seed.text), *expected_formulas(item.seed.text)]
        lost = [text for text in wanted if normalized(text) not in seen]
        if lost:
            missing[item.seed.number] = lost
    assert missing == {}, f"text a Mastodon 4.4 reader would not see, by seed: {missing}"
    no_problems(peer)


def test_formulas_are_many_and_all_arrive_as_tex(published: Publication) -> None:
    formulas = [f for item in published.summaries for f in expected_formulas(item.seed.text)]
    assert len(formulas) >= 195
    shown = sum(normalized(f) in normalized(item.status.text) for item in published.summaries
                for f in expected_formulas(item.seed.text) if item.status)
    assert shown == len(formulas)
    assert any("$$" in item.status.text for item in published.summaries if item.status), "display maths kept"


def test_a_summary_resolves_by_its_url_as_mastodon_search_does(
    ada: OurUser, peer: MastodonPeer, published: Publication
) -> None:
    for item in published.summaries[:5]:
        note = peer.client.resolve_url(item.url)
        assert note is not None, f"{item.url} did not pass Mastodon's fetch checks"
        assert note["id"] == item.url and note["attributedTo"] == ada.actor_url
        assert note["content"] == item.status.note["content"] if item.status else False
        assert note["to"] == [PUBLIC]
    profile = peer.client.resolve_url(f"{ada.actor_url.rsplit('/u/', 1)[0]}/@ada")  # an HTML page: its alternate
    assert profile is not None and profile["id"] == ada.actor_url
    no_problems(peer)


def test_our_webfinger_answers_the_forms_mastodon_users_type(
    ours: Instance, ada: OurUser, peer: MastodonPeer, followed: Followed
) -> None:
    for resource in (f"acct:ada@{ours.host}", f"ADA@{ours.host.upper()}"):
        jrd = peer.client.webfinger(resource)
        assert jrd["subject"].lower() == f"acct:ada@{ours.host}", resource
    assert peer.client.resolve_account(f"Ada@{ours.host}").uri == ada.actor_url
    # Mastodon's own WebFinger also answers the actor URL (webfinger_resource.rb); so does ours.
    by_url = httpx.get(f"{ours.base_url}/.well-known/webfinger", params={"resource": ada.actor_url}, timeout=10)
    assert by_url.status_code == 200 and by_url.json()["subject"] == f"acct:ada@{ours.host}"
    no_problems(peer)


def test_our_inbox_refuses_a_tampered_mastodon_delivery_with_401(
    ours: Instance, peer: MastodonPeer, followed: Followed, published: Publication
) -> None:
    like = {"@context": "https://www.w3.org/ns/activitystreams", "id": f"{peer.user.uri}#likes/tampered",
            "type": "Like", "actor": peer.user.uri, "object": published.by_number(11).url}
    body = json.dumps(like).encode()
    headers = sign_request("POST", followed.account.inbox, key_id=peer.user.key_id, private_key=peer.user.key,
                           headers={"Content-Type": "application/activity+json"}, body=body)
    answer = httpx.post(followed.account.inbox, content=body.replace(b"tampered", b"tempered"), headers=headers)
    assert answer.status_code == 401, answer.text
    assert answer.headers["content-type"].startswith("application/json") and answer.json().get("error")
    assert ours.query("SELECT id FROM inbox_items WHERE activity_uri LIKE :u", u=f"{peer.user.uri}#likes/te%") == []
