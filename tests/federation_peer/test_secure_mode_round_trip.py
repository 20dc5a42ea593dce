"""Both sides in secure mode: our instance with FEDISCIENCE_AUTHORIZED_FETCH=1 (its own server and worker processes)
and the Mastodon-shaped peer (which always requires signed GETs). mara follows ada, ada publishes, mara replies, ada
answers: every fetch either side makes is signed and verified, and an unsigned reader gets 401 (or, for ada's
actor, only her key document)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest

from tests.federation_e2e import flows
from tests.federation_e2e.conftest import Instance
from tests.federation_peer.conftest import add_bibtex_paper, inbox_status, no_problems, our_instance
from tests.federation_peer.mastodon_peer import MastodonPeer
from tests.federation_peer.seeds import seeds

pytestmark = pytest.mark.slow

AS_ACCEPT = "application/activity+json"


@pytest.fixture(scope="module")
def secure_ours(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Instance]:
    """Our instance in secure mode: `fediscience serve` and `fediscience worker` on a fresh database."""
    with our_instance("s", tmp_path_factory, authorized_fetch="1") as instance:
        yield instance


@pytest.fixture(scope="module")
def secure_peer() -> Iterator[MastodonPeer]:
    """A Mastodon-shaped peer of its own (secure mode, as every peer here)."""
    server = MastodonPeer().start()
    yield server
    server.stop()


def test_follow_publish_and_reply_work_with_both_sides_in_secure_mode(
    secure_ours: Instance, secure_peer: MastodonPeer
) -> None:
    ours, peer = secure_ours, secure_peer
    ours.web.register("ada")
    ada_url = f"{ours.base_url}/u/{ours.scalar('SELECT public_id FROM actors WHERE username = :u AND local', u='ada')}"

    # mara follows ada: the peer's signed GETs of ada's actor get the whole actor, ada's Accept verifies.
    follow, answer, account = peer.follow(f"@ada@{ours.host}")
    assert answer.status_code == 202, answer.text
    peer.wait_for("ada's Accept", lambda: peer.state.follows[follow["id"]]["state"] == "accepted")
    assert account.uri == ada_url and account.inbox == f"{ada_url}/inbox"

    # ada publishes: the Create reaches mara, and the peer can fetch the summary with its signature.
    seed = seeds()[0]
    summary_id = flows.write_summary(ours.web, add_bibtex_paper(ours.web, seed.bibtex()), seed.text)
    summary_url = f"{ours.base_url}/s/{summary_id}"
    status = peer.wait_for("ada's Create", lambda: peer.state.remote_statuses.get(summary_url))
    assert status.account_uri == ada_url
    fetched = peer.client.fetch_resource(summary_url, True)
    assert fetched is not None and fetched["id"] == summary_url

    # mara replies: our inbox verifies her (fetching her actor with a signed GET) and files the comment.
    reply, delivered = peer.reply(summary_url, "Does this hold in secure mode?", [account])
    assert delivered.status_code == 202, delivered.text
    assert inbox_status(ours, f"{reply['id']}/activity") == ("done", None)
    reply_id = ours.scalar("SELECT public_id FROM comments WHERE uri = :u", u=reply["id"])
    assert reply_id, "mara's reply was not stored"

    # ada answers on our site: the answer reaches mara.
    answer_id = flows.comment(ours.web, summary_id, "It does: every fetch is signed.", parent=reply_id)
    answer_url = f"{ours.base_url}/c/{answer_id}"
    answer_status = peer.wait_for("ada's answer at the peer", lambda: peer.state.remote_statuses.get(answer_url))
    assert answer_status.in_reply_to == reply["id"]

    # Every GET the peer served us was signed by our instance actor and verified; no Mastodon rule was broken.
    served = [s for s in peer.state.served if s.path == f"/users/{peer.user.username}"]
    assert served and all(s.status == 200 and s.signer == f"{ours.base_url}/actor" for s in served)
    assert all(f.status == 200 for f in peer.state.fetched if f.url.startswith(ours.base_url)), peer.state.fetched
    no_problems(peer)

    # An unsigned reader: 401 for the summary, the comment and the outbox; ada's key document only; /actor public.
    with httpx.Client(timeout=10, headers={"Accept": AS_ACCEPT}) as reader:
        for url in (summary_url, answer_url, f"{ada_url}/outbox", f"{summary_url}/replies"):
            refused = reader.get(url)
            assert refused.status_code == 401 and "error" in refused.json(), (url, refused.text)
        key_only = reader.get(ada_url).json()
        assert set(key_only) == {"@context", "id", "type", "preferredUsername", "inbox", "publicKey"}
        assert key_only["publicKey"]["id"] == account.key_id
        instance = reader.get(f"{ours.base_url}/actor")
        assert instance.status_code == 200 and json.loads(instance.text)["id"] == f"{ours.base_url}/actor"
