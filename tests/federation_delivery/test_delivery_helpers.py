"""Signing helper processes in the delivery engine: a large batch is signed by them, a small one in the worker;
a helper that dies or hangs costs nothing but time (the worker signs instead) and is replaced later."""

from __future__ import annotations

import os
import signal
import time

from sqlalchemy import select

from fediscience.db import db
from fediscience.federation import delivery_signing
from fediscience.federation.delivery_http import HELPER_MIN_POSTS, engine_for
from fediscience.federation.models import Delivery
from fediscience.federation.outbox import send_activity
from tests.federation_delivery.conftest import new_author, note
from tests.helpers import wait_for_jobs


def _inboxes(receivers, count):
    return [receivers[n % len(receivers)].url(f"/users/u{n}/inbox") for n in range(count)]


def _publish(app, author, inboxes, n=1):
    activity = send_activity(author, note(author, n), inboxes)
    db.session.commit()
    wait_for_jobs(app)
    db.session.expire_all()
    return db.session.scalars(select(Delivery.state).where(Delivery.activity_id == activity.id)).all()


def _received(receivers):
    return [post for receiver in receivers for post in receiver.posts()]


def _wait_until_gone(pid):
    for _ in range(200):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.01)


def test_a_large_batch_is_signed_by_the_helpers_and_every_signature_verifies(ctx, author, receivers):
    states = _publish(ctx, author, _inboxes(receivers, 40))
    assert states == ["done"] * 40
    posts = _received(receivers)
    assert len(posts) == 40 and all(post.verified for post in posts), [p.error for p in posts if not p.verified][:3]
    signing = engine_for(ctx).signing
    assert len(signing.pids) == 2 and signing.signed == {"helpers": 40}
    assert all(pid != os.getpid() for pid in signing.pids)


def test_a_small_batch_is_signed_in_the_worker_without_starting_helpers(ctx, author, receivers):
    states = _publish(ctx, author, _inboxes(receivers, HELPER_MIN_POSTS - 1))
    assert states == ["done"] * (HELPER_MIN_POSTS - 1)
    assert all(post.verified for post in _received(receivers))
    signing = engine_for(ctx).signing
    assert signing.pids == [] and signing.signed == {"worker": HELPER_MIN_POSTS - 1}


def test_without_helper_processes_the_worker_signs_everything(make_app, receivers, key_pair):
    app = make_app(delivery_signing_processes=0)
    with app.app_context():
        author = new_author("threads", key_pair)
        assert _publish(app, author, _inboxes(receivers, 30)) == ["done"] * 30
    assert all(post.verified for post in _received(receivers))
    signing = engine_for(app).signing
    assert signing.pids == [] and signing.signed == {"worker": 30}


def test_a_killed_helper_is_replaced_and_its_work_done_meanwhile(ctx, author, receivers, monkeypatch):
    _publish(ctx, author, _inboxes(receivers, 20), n=1)
    signing = engine_for(ctx).signing
    first, other = signing.pids
    os.kill(first, signal.SIGKILL)
    _wait_until_gone(first)

    assert _publish(ctx, author, _inboxes(receivers, 20), n=2) == ["done"] * 20  # within RESTART_PAUSE: one helper
    assert signing.pids == [other]
    monkeypatch.setattr(delivery_signing, "RESTART_PAUSE", 0.0)
    assert _publish(ctx, author, _inboxes(receivers, 20), n=3) == ["done"] * 20
    assert len(signing.pids) == 2 and first not in signing.pids and other in signing.pids
    posts = _received(receivers)
    assert len(posts) == 60 and all(post.verified for post in posts)


def test_a_stuck_helper_is_stopped_and_the_worker_signs_its_chunks(ctx, author, receivers, monkeypatch):
    _publish(ctx, author, _inboxes(receivers, 20), n=1)
    signing = engine_for(ctx).signing
    stuck, other = signing.pids
    monkeypatch.setattr(delivery_signing, "ANSWER_TIMEOUT", 0.5)
    os.kill(stuck, signal.SIGSTOP)
    try:
        assert _publish(ctx, author, _inboxes(receivers, 48), n=2) == ["done"] * 48
    finally:
        try:
            os.kill(stuck, signal.SIGCONT)
        except ProcessLookupError:
            pass
    _wait_until_gone(stuck)
    assert signing.pids == [other]
    assert signing.signed["worker"] > 0 and signing.signed["helpers"] > 20
    assert all(post.verified for post in _received(receivers))


def _helper_children() -> list[int]:
    """Signing helpers whose parent is this process, read from /proc."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat, open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                parent, command = int(stat.read().rsplit(")", 1)[1].split()[1]), cmdline.read()
        except OSError:
            continue
        if parent == os.getpid() and b"delivery_signer" in command:
            found.append(int(entry))
    return sorted(found)


def test_two_batches_at_once_start_each_helper_once(ctx, author, receivers):
    first = send_activity(author, note(author, 1), _inboxes(receivers, 30))
    second = send_activity(author, note(author, 2), [url + "/b" for url in _inboxes(receivers, 30)])
    db.session.commit()  # two jobs, run at once by the two job threads
    wait_for_jobs(ctx)
    db.session.expire_all()
    states = db.session.scalars(select(Delivery.state).where(Delivery.activity_id.in_([first.id, second.id]))).all()
    assert states == ["done"] * 60
    assert _helper_children() == sorted(engine_for(ctx).signing.pids) and len(engine_for(ctx).signing.pids) == 2
