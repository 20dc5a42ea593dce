"""Key rotation: the old pair is retired, the actor serves the new key, and the `Update` announcing it is signed with
the OLD key (Mastodon then keeps the followers), delivered once per inbox to followers and followed accounts; later
activities are signed with the new key, in the worker and in the signing helper processes alike."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest
from apsig.draft import Verifier as ApsigVerifier
from click.testing import CliRunner
from httpsig.verify import HeaderVerifier
from sqlalchemy import func, select, update

from fediscience.activitypub import SignedRequest, load_public_key, verify_request
from fediscience.activitypub.keys import KeyPair, public_key_pem
from fediscience.activitypub.signatures import target_of
from fediscience.cli import main
from fediscience.db import db
from fediscience.federation import urls
from fediscience.federation.delivery_http import HELPER_MIN_POSTS, engine_for
from fediscience.federation.delivery_keys import rotation_settle, signer_for
from fediscience.federation.key_rotation import KeyRotationError, key_fingerprint, rotate_keys
from fediscience.federation.keys import private_key_of
from fediscience.federation.models import Activity, Delivery, RetiredKey
from fediscience.federation.outbox import send_activity
from fediscience.jobs.deliver import sweep_deliveries
from fediscience.summaries.services import create_summary
from fediscience.users.models import Actor, User
from tests.federation_delivery.conftest import Receiver, follow, note, remote_actor
from tests.federation_delivery.publishing_world import SOURCE, followers, paper
from tests.helpers import TEST_SECRET, wait_for_jobs


def _user(author: Actor) -> User:
    """Make the author a local user (rotation is for users)."""
    user = User(actor=author, username_key=author.username.lower(), email=f"{author.username}@example.org",
                password_hash="unused")
    db.session.add(user)
    db.session.commit()
    return user


def _rotate(app, author: Actor):
    rotation = rotate_keys(author)
    db.session.commit()
    wait_for_jobs(app)
    return rotation


def _settle(author: Actor) -> None:
    """Let the rotation settle: move it rotation_settle() (and a second) into the past."""
    _earlier(db.session.scalars(select(RetiredKey).where(RetiredKey.actor_id == author.id)), "retired_at")


def _earlier(rows, column: str) -> None:
    for row in rows:
        setattr(row, column, getattr(row, column) - rotation_settle() - timedelta(seconds=1))
    db.session.commit()


def _verifies(post, receiver: Receiver, pem: str) -> bool:
    """Whether our own verifier accepts the POST as received, with this public key."""
    request = SignedRequest("POST", post.path, post.headers, post.raw)
    try:
        verify_request(request, load_public_key(pem), expected_host=receiver.host)
    except Exception:  # noqa: BLE001 - any refusal counts as "does not verify"
        return False
    return True


def _apsig(post, receiver: Receiver, pem: str) -> Any:
    return ApsigVerifier(pem, "POST", receiver.url(post.path), dict(post.headers), post.raw).verify()


def _httpsig(post, pem: str) -> bool:
    verifier = HeaderVerifier(dict(post.headers), pem, required_headers=["(request-target)", "host", "date", "digest"],
                              method="POST", path=target_of(post.path), sign_header="signature")
    return verifier.verify()


def _updates(receivers: list[Receiver]) -> list[tuple[Receiver, Any]]:
    return [(r, post) for r in receivers for post in r.posts() if post.body["type"] == "Update"]


def test_rotation_retires_the_old_pair_and_the_actor_document_serves_the_new_key(ctx, author, key_pair, receivers):
    _user(author)
    followers(author, receivers[0], receivers[1])
    rotation = _rotate(ctx, author)

    [retired] = db.session.scalars(select(RetiredKey)).all()
    assert (retired.actor_id, retired.public_key_pem, retired.private_key_pem) == (
        author.id, key_pair.public_pem, key_pair.private_pem)
    db.session.expire_all()
    actor = db.session.get(Actor, author.id)
    assert actor.public_key_pem != key_pair.public_pem and actor.private_key_pem != key_pair.private_pem
    assert public_key_pem(private_key_of(actor)) == actor.public_key_pem  # a matching new pair
    assert load_public_key(actor.public_key_pem).key_size == 2048
    assert rotation.old_fingerprint == key_fingerprint(key_pair.public_pem) != rotation.new_fingerprint
    assert rotation.new_fingerprint == key_fingerprint(actor.public_key_pem)

    served = ctx.test_client().get(f"/u/{author.public_id}", headers={"Accept": "application/activity+json"})
    assert served.status_code == 200
    assert served.json["publicKey"] == {"id": urls.key_id(author), "owner": urls.actor_url(author),
                                        "publicKeyPem": actor.public_key_pem}


def test_the_update_carries_the_new_key_and_verifies_with_the_old_key_only(ctx, author, key_pair, receivers):
    _user(author)
    followers(author, receivers[0], receivers[1])
    rotation = _rotate(ctx, author)
    new_pem = db.session.get(Actor, author.id).public_key_pem

    updates = _updates(receivers)
    assert len(updates) == 3  # a's shared inbox, dan's own inbox on a, b's shared inbox
    for receiver, post in updates:
        body = post.body
        assert body == rotation.activity.payload and body["actor"] == body["object"]["id"] == urls.actor_url(author)
        assert body["object"]["type"] == "Person"
        assert body["object"]["publicKey"]["publicKeyPem"] == new_pem
        assert post.key_id == urls.key_id(author)  # the one key id peers know, whatever key signs
        assert post.verified and _verifies(post, receiver, key_pair.public_pem)
        assert not _verifies(post, receiver, new_pem)
        # Two independent implementations agree.
        assert _apsig(post, receiver, key_pair.public_pem) == urls.key_id(author)
        assert _apsig(post, receiver, new_pem) is None
        assert _httpsig(post, key_pair.public_pem) is True
        assert _httpsig(post, new_pem) is False
    assert rotation.activity.signing_key_id == rotation.retired.id


def test_a_later_summary_create_is_signed_with_the_new_key(ctx, author, key_pair, receivers):
    _user(author)
    followers(author, receivers[0], receivers[1])
    _rotate(ctx, author)
    _settle(author)
    for receiver in receivers:
        receiver.received.clear()
    create_summary(author, paper(), SOURCE, draft=False, private=False)
    db.session.commit()
    wait_for_jobs(ctx)
    new_pem = db.session.get(Actor, author.id).public_key_pem

    posts = [(r, post) for r in receivers for post in r.posts()]
    assert [post.body["type"] for _, post in posts] == ["Create"] * 3
    for receiver, post in posts:
        assert _verifies(post, receiver, new_pem) and not _verifies(post, receiver, key_pair.public_pem)
        assert _apsig(post, receiver, new_pem) == urls.key_id(author) and _httpsig(post, new_pem) is True


def test_other_activities_wait_until_the_rotation_settles_then_the_sweeper_sends_them(ctx, author, receivers):
    """Mastodon applies the Update in a job: a delivery signed with the new key that overtook it would make Mastodon
    see a changed key on refetch and re-send every follow. So the next Create waits, then goes with the new key."""
    _user(author)
    followers(author, receivers[0], receivers[1])
    rotation = _rotate(ctx, author)
    assert len(_updates(receivers)) == 3  # the Update itself leaves at once
    for receiver in receivers:
        receiver.received.clear()
    create_summary(author, paper(), SOURCE, draft=False, private=False)
    db.session.commit()
    wait_for_jobs(ctx)
    create = db.session.scalar(select(Activity).where(Activity.activity_type == "Create"))
    waiting = db.session.scalars(select(Delivery).where(Delivery.activity_id == create.id)).all()
    assert len(waiting) == 3 and all(d.state == "pending" and d.tries == 0 for d in waiting)
    assert {d.next_try_at for d in waiting} == {rotation.retired.retired_at + rotation_settle()}
    assert sweep_deliveries() == 0 and all(receiver.posts() == [] for receiver in receivers)

    _settle(author)
    _earlier(waiting, "next_try_at")
    assert sweep_deliveries() == 1
    wait_for_jobs(ctx)
    new_pem = db.session.get(Actor, author.id).public_key_pem
    posts = [(r, post) for r in receivers for post in r.posts()]
    assert [post.body["type"] for _, post in posts] == ["Create"] * 3
    assert all(_verifies(post, r, new_pem) for r, post in posts)


def test_the_update_goes_once_to_each_inbox_of_followers_and_followed_accounts(ctx, author, receivers):
    a, b, c = receivers
    _user(author)
    followers(author, a, b)  # includes fay, a pending follower on b's shared inbox: no extra delivery
    followed = remote_actor("gus", c.url("/users/gus/inbox"), c.url("/inbox"))
    follow(author, followed)
    follow(author, remote_actor("hal", c.url("/users/hal/inbox"), c.url("/inbox")), state="pending")
    db.session.commit()
    rotation = _rotate(ctx, author)

    assert rotation.inboxes == 4
    inboxes = sorted(db.session.scalars(select(Delivery.inbox_url).where(Delivery.activity_id == rotation.activity.id)))
    assert inboxes == sorted([a.url("/inbox"), a.url("/users/dan/inbox"), b.url("/inbox"), c.url("/inbox")])
    assert sorted(post.path for _, post in _updates(receivers)) == ["/inbox", "/inbox", "/inbox", "/users/dan/inbox"]


def test_the_cached_loaded_key_is_not_reused_after_rotation(ctx, author, key_pair, receivers):
    """The worker and the helper processes both signed with the old key before; afterwards only the Update does."""
    _user(author)
    inboxes = [receivers[n % 3].url(f"/users/u{n}/inbox") for n in range(HELPER_MIN_POSTS + 4)]
    for n, inbox in enumerate(inboxes):
        follow(remote_actor(f"f{n}", inbox), author)
    db.session.commit()
    old_key = private_key_of(author)
    send_activity(author, note(author, 1), inboxes)  # a large batch: signed by the helpers, which load the old key
    db.session.commit()
    wait_for_jobs(ctx)
    assert all(post.verified for r in receivers for post in r.posts())
    assert engine_for(ctx).signing.signed["helpers"] == len(inboxes)

    rotation = _rotate(ctx, author)
    updates = _updates(receivers)  # signed by the helpers too, with the retired key they were handed
    assert len(updates) == len(inboxes)
    assert all(post.verified and not _verifies(post, r, author.public_key_pem) for r, post in updates)
    assert private_key_of(author) is not old_key
    assert signer_for(author).private_pem.decode() == author.private_key_pem != key_pair.private_pem
    assert signer_for(author, rotation.retired).private_pem.decode() == key_pair.private_pem
    _settle(author)
    for receiver in receivers:
        receiver.received.clear()
    send_activity(author, note(author, 2), inboxes)
    db.session.commit()
    wait_for_jobs(ctx)

    posts = [(r, post) for r in receivers for post in r.posts()]
    assert len(posts) == len(inboxes)
    assert all(_verifies(post, r, author.public_key_pem) and not post.verified for r, post in posts)
    assert engine_for(ctx).signing.signed["helpers"] == 3 * len(inboxes)  # before, the Update, after


def test_remote_actors_and_actors_without_a_key_cannot_be_rotated(ctx, author, receivers):
    remote = remote_actor("bob", receivers[0].url("/users/bob/inbox"))
    keyless = Actor(local=True, username="kim")
    db.session.add(User(actor=keyless, username_key="kim", email="kim@example.org", password_hash="unused"))
    db.session.commit()
    with pytest.raises(KeyRotationError, match="not a local user"):
        rotate_keys(remote)
    with pytest.raises(KeyRotationError, match="not a local user"):
        rotate_keys(author)  # a local actor that is no user (e.g. a paper or the instance actor)
    with pytest.raises(KeyRotationError, match="no key yet"):
        rotate_keys(keyless)
    assert db.session.scalar(select(func.count()).select_from(RetiredKey)) == 0


def test_a_rotation_racing_another_changes_nothing(ctx, author, key_pair, receivers):
    _user(author)
    followers(author, receivers[0], receivers[1])
    other = KeyPair("-----other private-----", "-----other public-----")
    db.session.execute(update(Actor).where(Actor.id == author.id).values(private_key_pem=other.private_pem)
                       .execution_options(synchronize_session=False))  # another process rotated meanwhile
    assert author.private_key_pem == key_pair.private_pem  # this session still holds the old pair
    with pytest.raises(KeyRotationError, match="changed meanwhile"):
        rotate_keys(author)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(RetiredKey)) == 0
    assert db.session.scalar(select(func.count()).select_from(Activity)) == 0


def _cli_env(monkeypatch, database_url: str, tmp_path) -> None:
    for name, value in {"DATABASE_URL": database_url, "SECRET_KEY": TEST_SECRET, "INSTANCE_PATH": str(tmp_path / "cli"),
                        "BASE_URL": "http://127.0.0.1:5999", "ALLOW_PRIVATE_ADDRESSES": "true"}.items():
        monkeypatch.setenv(f"FEDISCIENCE_{name}", value)


def test_the_command_rotates_and_says_what_it_did(ctx, author, key_pair, receivers, database_url, tmp_path,
                                                  monkeypatch):
    _user(author)
    followers(author, receivers[0], receivers[1])
    db.session.commit()
    _cli_env(monkeypatch, database_url, tmp_path)
    result = CliRunner().invoke(main, ["keys", "rotate", "ALICE"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    new_pem = db.session.get(Actor, author.id).public_key_pem
    assert new_pem != key_pair.public_pem
    assert f"old key {key_fingerprint(key_pair.public_pem)}" in result.output
    assert f"new key {key_fingerprint(new_pem)}" in result.output
    assert "queued for 3 inbox(es)" in result.output
    assert "other activities of alice wait 60 s" in result.output
    [activity] = db.session.scalars(select(Activity)).all()
    assert activity.activity_type == "Update" and activity.signing_key is not None
    assert activity.signing_key.public_key_pem == key_pair.public_pem
    deadline = time.monotonic() + 20  # the command's own job runner sends the Update on a thread of its own
    while len(_updates(receivers)) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(_updates(receivers)) == 3


@pytest.mark.parametrize("name", ["nobody", "bob"])
def test_the_command_refuses_an_unknown_or_remote_user_and_changes_nothing(ctx, author, key_pair, receivers,
                                                                           database_url, tmp_path, monkeypatch,
                                                                           name):
    _user(author)
    remote_actor("bob", receivers[0].url("/users/bob/inbox"))
    db.session.commit()
    _cli_env(monkeypatch, database_url, tmp_path)
    result = CliRunner().invoke(main, ["keys", "rotate", name])
    assert result.exit_code == 1
    assert f"no local user named {name!r}" in result.output
    db.session.expire_all()
    assert db.session.get(Actor, author.id).public_key_pem == key_pair.public_pem
    assert db.session.scalar(select(func.count()).select_from(RetiredKey)) == 0
    assert db.session.scalar(select(func.count()).select_from(Activity)) == 0
