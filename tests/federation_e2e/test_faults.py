"""Deliveries survive faults: a receiver that is down, a Redis that lost the queued job, a worker killed while a
delivery is in flight. The deliveries table is the ledger; these tests check that it is enough, with real processes.

The instances of this module are its own (stopping and killing processes here touches no other module), with
short retry and lease times so that each fault heals in seconds.
"""

from __future__ import annotations

import pytest

from tests.federation_e2e import flows
from tests.federation_e2e.conftest import Instance
from tests.federation_e2e.proxy import HoldingProxy
from tests.system import harness

pytestmark = pytest.mark.slow

_DELIVERY = ("SELECT d.state, d.tries, d.last_status, d.last_error FROM deliveries d "
             "JOIN activities x ON x.id = d.activity_id WHERE x.activity_type = 'Create' AND x.object_uri = :uri")


@pytest.fixture(scope="module")
def instance_settings() -> dict[str, str]:
    """Retries after 0.15 s, 0.16 s, 0.31 s … (Mastodon's back-off × 0.01); leases of 3 s; a sweep every 0.5 s;
    a host's breaker, should it open while B is down, holds deliveries back for 2 s only."""
    return {"delivery_retry_base": "0.01", "delivery_lease_seconds": "3", "sweeper_interval": "0.5",
            "breaker_seconds": "2"}


@pytest.fixture(scope="module")
def pair(instances: dict[str, Instance]) -> tuple[Instance, Instance]:
    """alice on A, followed by bob on B."""
    a, b = instances["a"], instances["b"]
    a.web.register("alice")
    b.web.register("bob")
    flows.follow(b, b.web, a, "alice")
    return a, b


def delivery(a: Instance, summary_id: str) -> tuple[str, int, int | None, str | None] | None:
    """A's delivery of the summary's Create to B: (state, tries, last status, last error)."""
    rows = a.query(_DELIVERY, uri=f"{a.base_url}/s/{summary_id}")
    assert len(rows) <= 1, f"one delivery expected (B's shared inbox), got {rows}"
    return tuple(rows[0]) if rows else None  # type: ignore[return-value]


def wait_delivered(a: Instance, b: Instance, summary_id: str) -> tuple[str, int, int | None, str | None]:
    """Wait until B holds the summary and A has recorded its delivery as done."""
    uri = f"{a.base_url}/s/{summary_id}"
    flows.wait(f"B to store the summary {uri}", lambda: flows.remote_summary(b, uri), a, b)
    return flows.wait("A to record the delivery as done", lambda: (
        row if (row := delivery(a, summary_id)) and row[0] == "done" else None), a, b)


def test_a_delivery_to_a_stopped_server_is_retried_until_the_server_is_back(pair):
    a, b = pair
    paper = flows.add_paper(a, a.web, "1707.06684")
    b.stop_server()
    try:
        summary = flows.write_summary(a.web, paper, "Reproducing intuition: $\\sum_i x_i$.")
        failed = flows.wait("A's delivery to the stopped B to fail", lambda: (
            row if (row := delivery(a, summary)) and row[1] >= 1 else None), a)
        assert failed[0] == "pending" and failed[2] is None, failed
        assert "cannot connect" in (failed[3] or ""), failed
    finally:
        b.start_server()  # the same port and database
    done = wait_delivered(a, b, summary)
    assert done[1] >= 2 and done[2] == 202, f"delivered without a retry? {done}"


def test_a_delivery_whose_job_redis_lost_is_found_by_the_sweeper(pair):
    a, b = pair
    paper_b = flows.add_paper(b, b.web, "1608.08967")  # B knows the paper already: the summary goes under it
    paper_a = flows.add_paper(a, a.web, "1608.08967")
    for worker in list(a.workers):
        a.stop_worker(worker)

    summary = flows.write_summary(a.web, paper_a, "Random noise is *much* weaker: $\\|r\\|_2$.")
    queue_key = f"rq:queue:{a.queue}"
    assert a.redis.llen(queue_key) == 1, "the delivery job was not queued in Redis"
    assert delivery(a, summary) == ("pending", 0, None, None)
    assert harness.delete_queue_keys(a.redis, a.queue) >= 2  # the queue and the job, as a Redis restart loses them
    assert a.redis.llen(queue_key) == 0 and harness.queue_keys(a.redis, a.queue) == []

    a.start_worker()  # its sweeper finds the due delivery in the database
    done = wait_delivered(a, b, summary)
    assert done[:3] == ("done", 1, 202), done
    copy = flows.remote_summary(b, f"{a.base_url}/s/{summary}")
    assert copy[1] == b.scalar("SELECT id FROM papers WHERE public_id = :p", p=paper_b), "not filed under B's paper"
    assert b.query("SELECT count(*) FROM papers WHERE arxiv_id = '1608.08967'") == [(1,)]


def test_a_worker_killed_during_a_delivery_is_replaced_and_the_receiver_applies_it_once(pair):
    a, b = pair
    paper = flows.add_paper(a, a.web, "hep-th/9711200")
    behind = harness.listening_port()
    b.stop_server()
    proxy = HoldingProxy(b.port, behind).start()  # B's address now answers through the proxy
    try:
        b.start_server(port=behind)
        summary = flows.write_summary(a.web, paper, "Large $N$: the $AdS_5 \\times S^5$ correspondence.")
        flows.wait("B to accept the Create (its answer held back by the proxy)", proxy.held.is_set, a, b)
        assert delivery(a, summary)[:2] == ("leased", 0), "the delivery should be in flight"
        (worker,) = a.workers
        a.kill_worker(worker)  # SIGKILL while the job holds the lease: no outcome is recorded
        proxy.release()
        assert delivery(a, summary)[:2] == ("leased", 0)

        a.start_worker()  # the lease expires (3 s), the sweeper re-enqueues, the new worker delivers again
        done = wait_delivered(a, b, summary)
    finally:
        proxy.stop()
        if b.server is not None:
            b.stop_server()
        b.start_server()
    assert done[:3] == ("done", 1, 202), done
    create_id = a.scalar("SELECT uri FROM activities WHERE activity_type = 'Create' AND object_uri = :u",
                         u=f"{a.base_url}/s/{summary}")
    assert proxy.inbox_posts == [create_id, create_id], f"B should have been sent the Create twice: {proxy.inbox_posts}"
    assert b.query("SELECT status FROM inbox_items WHERE activity_uri = :id", id=create_id) == [("done",)]
    uri = f"{a.base_url}/s/{summary}"
    assert b.query("SELECT count(*) FROM summaries WHERE uri = :u", u=uri) == [(1,)]
    assert b.query("SELECT count(*) FROM summary_revisions r JOIN summaries s ON s.id = r.summary_id "
                   "WHERE s.uri = :u", u=uri) == [(1,)]
