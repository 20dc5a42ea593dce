"""`fediscience keys rotate` against the Mastodon-shaped peer: mara follows our user rosa; rosa's key is rotated; the
peer verifies the announcing Update with the key it has cached (the OLD one, no refetch), takes the new key from it
without the refollow Mastodon does after an unannounced key change, and then verifies rosa's next summary with the
new key. The follow survives: no Follow is sent again."""

from __future__ import annotations

import httpx
import pytest

from tests.federation_e2e import flows
from tests.federation_e2e.conftest import Instance
from tests.federation_peer.conftest import add_bibtex_paper, no_problems
from tests.federation_peer.mastodon_model import Received
from tests.federation_peer.mastodon_peer import MastodonPeer
from tests.system import harness

pytestmark = pytest.mark.slow

BIBTEX = ("@article{rotation2024,\n  title = {Rotating Keys Without Losing Followers},\n  author = {Rosa Example},\n"
          "  journal = {Journal of Federated Systems},\n  year = {2024},\n  doi = {10.5555/key-rotation.2024}\n}\n")
SUMMARY = "The paper shows that announcing a **new key** with the old one keeps every follower: $k_{t+1} = f(k_t)$."


def _served_key(url: str) -> str:
    response = httpx.get(url, headers={"Accept": "application/activity+json"}, timeout=10)
    assert response.status_code == 200, response.text[:500]
    return response.json()["publicKey"]["publicKeyPem"]


def _actor_fetches(peer: MastodonPeer, url: str) -> int:
    with peer.state.lock:
        return sum(1 for fetched in peer.state.fetched if fetched.url == url)


def _follows_of(peer: MastodonPeer, url: str) -> list[dict]:
    with peer.state.lock:
        return [f for f in peer.state.follows.values() if f["target"] == url]


def _update_from(peer: MastodonPeer, url: str) -> Received | None:
    with peer.state.lock:
        return next((r for r in peer.state.received if r.activity and r.activity.get("type") == "Update"
                     and r.activity.get("actor") == url and r.outcome != "queued"), None)


def test_a_rotated_key_reaches_mastodon_signed_with_the_old_key_and_the_follow_survives(
    ours: Instance, peer: MastodonPeer
) -> None:
    rosa = ours.client()
    try:
        rosa.register("rosa")
        public_id = ours.scalar("SELECT public_id FROM actors WHERE username = 'rosa' AND local")
        rosa_url = f"{ours.base_url}/u/{public_id}"
        follow, answer, account = peer.follow(f"@rosa@{ours.host}")
        assert answer.status_code == 202, answer.text
        peer.wait_for("rosa's Accept", lambda: peer.state.follows[follow["id"]]["state"] == "accepted")
        old_pem = _served_key(rosa_url)
        assert peer.state.accounts[rosa_url].public_key_pem == old_pem
        fetches = _actor_fetches(peer, rosa_url)

        result = harness.run_cli(ours.env, "keys", "rotate", "rosa")
        assert result.returncode == 0, harness.describe(result)
        assert "queued for 1 inbox(es)" in result.stdout, result.stdout
        new_pem = _served_key(rosa_url)
        assert new_pem != old_pem

        # The Update: verified with the cached old key (no refetch of rosa), the new key taken from it, no refollow.
        update = peer.wait_for("the key rotation's Update at the peer", lambda: _update_from(peer, rosa_url))
        assert update.status == 202 and update.outcome == "account updated", (update.outcome, update.error)
        assert update.key_id == f"{rosa_url}#main-key" and update.signer == rosa_url
        assert update.activity["object"]["publicKey"]["publicKeyPem"] == new_pem
        assert _actor_fetches(peer, rosa_url) == fetches, "the peer had to refetch rosa to verify the Update"
        assert peer.state.accounts[rosa_url].public_key_pem == new_pem
        assert peer.state.refollows == []
        assert [f["state"] for f in _follows_of(peer, rosa_url)] == ["accepted"]
        assert ours.scalar("SELECT count(*) FROM follows f JOIN actors a ON a.id = f.followee_id "
                           "WHERE a.username = 'rosa' AND a.local AND f.state = 'accepted'") == 1

        # rosa's next summary is signed with the new key, which the peer now holds: verified at once.
        paper_id = add_bibtex_paper(rosa, BIBTEX)
        summary_id = flows.write_summary(rosa, paper_id, SUMMARY)
        summary_url = f"{ours.base_url}/s/{summary_id}"
        status = peer.wait_for("rosa's summary at the peer", lambda: peer.state.remote_statuses.get(summary_url))
        create = next(r for r in peer.state.received if r.activity is status.activity)
        assert create.status == 202 and create.signer == rosa_url and create.key_id == f"{rosa_url}#main-key"
        assert "k_{t+1} = f(k_t)" in status.text
        assert _actor_fetches(peer, rosa_url) == fetches, "the peer had to refetch rosa to verify the Create"
        sent_follows = [s for s in peer.state.sent if s.activity.get("type") == "Follow"
                        and s.activity.get("object") == rosa_url]
        assert len(sent_follows) == 1, "mara followed rosa again"
        no_problems(peer)
    finally:
        rosa.close()
