"""send_activity: the activity row and one delivery per distinct inbox, in the caller's transaction; jobs
after commit, one per activity or chunk of inboxes."""

from __future__ import annotations

from sqlalchemy import func, select

from fediscience.db import db
from fediscience.federation import urls
from fediscience.federation.blocks import block_domain
from fediscience.federation.models import Activity, Delivery, RemoteHost
from fediscience.federation.outbox import send_activity
from fediscience.federation.recipients import follower_inboxes, inboxes_of
from tests.federation_delivery.conftest import BASE_URL, CountingRunner, follow, new_author, note, remote_actor
from tests.helpers import wait_for_jobs


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_one_signed_post_per_distinct_inbox_shared_inbox_preferred(ctx, author, receivers, runner):
    a, b = receivers[0], receivers[1]
    for name in ("ann", "bea", "cid"):  # three accounts behind one shared inbox
        follow(remote_actor(name, a.url(f"/users/{name}/inbox"), a.url("/inbox")), author)
    follow(remote_actor("dan", a.url("/users/dan/inbox")), author)  # no shared inbox
    follow(remote_actor("eve", b.url("/users/eve/inbox"), b.url("/inbox")), author)
    follow(remote_actor("fay", b.url("/users/fay/inbox"), b.url("/inbox")), author, state="pending")
    inboxes = follower_inboxes(author)
    assert sorted(inboxes) == sorted([a.url("/inbox"), a.url("/users/dan/inbox"), b.url("/inbox")])
    payload = note(author)
    send_activity(author, payload, inboxes + inboxes)
    db.session.commit()
    wait_for_jobs(ctx)

    assert sorted(r.path for r in a.posts()) == ["/inbox", "/users/dan/inbox"]
    assert [r.path for r in b.posts()] == ["/inbox"]
    for received in a.posts() + b.posts():
        assert received.verified, received.error
        assert received.key_id == urls.key_id(author) == f"{BASE_URL}/u/{author.public_id}#main-key"
        assert received.signed_headers == ("(request-target)", "host", "date", "digest", "content-type")
        assert received.body == payload
    rows = db.session.execute(select(Delivery.state, Delivery.last_status, Delivery.tries)).all()
    assert sorted(rows) == [("done", 202, 1)] * 3
    assert len(runner.jobs) == 1
    assert db.session.get(RemoteHost, a.host).last_success_at is not None


def test_rows_are_written_in_the_callers_transaction_and_a_rollback_leaves_nothing(ctx, author, receiver, runner):
    send_activity(author, note(author), [receiver.url("/inbox")])
    assert _count(Delivery) == 1 and _count(Activity) == 1  # visible inside the transaction
    assert runner.jobs == []  # nothing is enqueued before the commit
    db.session.rollback()
    wait_for_jobs(ctx)
    assert _count(Delivery) == 0 and _count(Activity) == 0
    assert runner.jobs == [] and receiver.posts() == []


def test_our_own_host_blocked_hosts_and_non_http_inboxes_get_no_delivery(ctx, author, receivers, runner):
    a, b = receivers[0], receivers[1]
    block_domain(b.host)
    db.session.commit()
    activity = send_activity(author, note(author), [
        f"{BASE_URL}/inbox", b.url("/inbox"), "ftp://example.org/inbox", "not a url", a.url("/inbox")])
    db.session.commit()
    wait_for_jobs(ctx)
    assert db.session.scalars(select(Delivery.inbox_url).where(Delivery.activity_id == activity.id)).all() == [
        a.url("/inbox")]
    assert len(a.posts()) == 1 and b.posts() == []


def test_a_payload_without_an_id_gets_our_activity_url(ctx, author, receiver):
    payload = note(author)
    del payload["id"]
    activity = send_activity(author, payload, [receiver.url("/inbox")])
    db.session.commit()
    wait_for_jobs(ctx)
    assert activity.uri == urls.activity_url(activity.public_id) == activity.payload["id"]
    assert activity.object_uri == payload["object"]["id"] and activity.activity_type == "Create"
    assert receiver.posts()[0].body["id"] == activity.uri


def test_a_hundred_inboxes_take_one_job_and_a_small_batch_size_a_few(make_app, receiver, key_pair):

    for batch, expected_jobs in ((500, 1), (30, 4)):
        app = make_app(delivery_batch_size=batch)
        counting = CountingRunner(app.extensions["fediscience.jobs"])
        app.extensions["fediscience.jobs"] = counting
        receiver.received.clear()
        with app.app_context():
            author = new_author(f"batch{batch}", key_pair)
            inboxes = [receiver.url(f"/users/u{n}/inbox") for n in range(100)]
            activity = send_activity(author, note(author, batch), inboxes)
            db.session.commit()
            wait_for_jobs(app)
            assert len(counting.jobs) == expected_jobs
            assert sorted(r.path for r in receiver.posts()) == sorted(f"/users/u{n}/inbox" for n in range(100))
            assert all(r.verified for r in receiver.posts())
            states = db.session.scalars(select(Delivery.state).where(Delivery.activity_id == activity.id)).all()
            assert states == ["done"] * 100


def test_inboxes_of_prefers_shared_inboxes_and_skips_local_actors(ctx, author, receiver):
    one = remote_actor("one", receiver.url("/users/one/inbox"), receiver.url("/inbox"))
    two = remote_actor("two", receiver.url("/users/two/inbox"), receiver.url("/inbox"))
    three = remote_actor("three", receiver.url("/users/three/inbox"))
    assert inboxes_of([one, author, two, three, one]) == [receiver.url("/inbox"), receiver.url("/users/three/inbox")]
