"""Paper look-ups through RQ: a real `fediscience serve`, real `fediscience worker` processes, real Redis
(database 5, a queue name of its own), a fresh PostgreSQL database and the recorded arXiv server."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.system import harness
from tests.system.harness import Service, WebClient, query, wait_for

pytestmark = pytest.mark.slow

REDIS_DB = 5
TITLES = {
    "1707.06684": "ShortScience.org - Reproducing Intuition",
    "1512.03385": "Deep Residual Learning for Image Recognition",
}
_LOOKUP = re.compile(r"^/papers/lookups/[A-Za-z0-9_-]+$")
_PAPER = re.compile(r"^/p/[A-Za-z0-9_-]+$")


class Instance:
    """A served instance on RQ, and how to start workers for it."""

    def __init__(self, env: dict[str, str], base_url: str, redis: Any, queue_name: str, log_dir: Path,
                 database_url: str, server: Service) -> None:
        self.env, self.base_url, self.redis, self.queue_name = env, base_url, redis, queue_name
        self.log_dir, self.database_url, self.server = log_dir, database_url, server
        self.workers: list[Service] = []

    def start_worker(self, name: str, **extra: str) -> Service:
        env = {**self.env, **{f"FEDISCIENCE_{k.upper()}": v for k, v in extra.items()}}
        worker = harness.start_worker(env, self.redis, self.queue_name, self.log_dir, name=name)
        self.workers.append(worker)
        return worker

    def registered_workers(self) -> set[bytes]:
        return set(self.redis.smembers(f"rq:workers:{self.queue_name}"))


@pytest.fixture(scope="module")
def instance(pg_database: str, recorded_base: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Instance]:
    redis = harness.redis_connection(REDIS_DB)
    queue_name = harness.unique_queue_name("sys")
    log_dir = tmp_path_factory.mktemp("worker-logs")
    port = harness.free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = harness.app_env(
        database_url=pg_database, instance_path=log_dir / "instance", recorded_base=recorded_base,
        base_url=base_url, redis_url=f"{harness.REDIS_HOST_URL}/{REDIS_DB}", queue_name=queue_name,
    )
    server = harness.start_server(env, port, log_dir)
    inst = Instance(env, base_url, redis, queue_name, log_dir, pg_database, server)
    try:
        yield inst
    finally:
        try:
            for worker in inst.workers:
                worker.dispose()
            server.dispose()
        finally:
            harness.delete_queue_keys(redis, queue_name)
            assert harness.queue_is_gone(redis, queue_name)
            redis.close()


@pytest.fixture
def web(instance: Instance) -> Iterator[WebClient]:
    client = WebClient(instance.base_url)
    yield client
    client.close()


def add_paper(web: WebClient, identifier: str) -> str:
    """POST /papers/add; return the path of the pending look-up page it redirects to."""
    response = web.submit("/papers/add", {"identifier": identifier})
    assert response.status_code == 302, f"{response.status_code}\n{response.text[:3000]}"
    location = httpx.URL(response.headers["location"]).path
    assert _LOOKUP.match(location), f"expected a redirect to a pending look-up, got {location}"
    page = web.http.get(location)
    assert page.status_code == 200, page.status_code
    assert 'data-status="pending"' in page.text, page.text[:3000]
    assert 'http-equiv="refresh"' in page.text
    return location


def wait_for_paper(web: WebClient, lookup_path: str, alive: Any, deadline: float = 30.0) -> str:
    """Poll the look-up page (as its meta refresh would) until it redirects to the paper; return the paper path."""

    def probe() -> str | None:
        response = web.http.get(lookup_path)
        if response.status_code == 302:
            return httpx.URL(response.headers["location"]).path
        assert response.status_code == 200, response.status_code
        assert 'data-status="failed"' not in response.text, f"the look-up failed:\n{response.text[:3000]}"
        assert 'data-status="pending"' in response.text, response.text[:3000]
        return None

    paper_path = wait_for(f"the look-up {lookup_path} to finish", probe, deadline=deadline, interval=0.2, alive=alive)
    assert _PAPER.match(paper_path), paper_path
    return paper_path


def check_paper_page(web: WebClient, paper_path: str, arxiv_id: str) -> None:
    page = web.http.get(paper_path)
    assert page.status_code == 200, page.status_code
    title = html.escape(TITLES[arxiv_id], quote=False)
    assert f'<h1 class="paper-title">{title}</h1>' in page.text, page.text[:3000]
    assert f"https://arxiv.org/abs/{arxiv_id}" in page.text
    assert "Write a summary" in page.text  # the logged-in user can summarise it


def test_a_worker_process_fetches_an_added_paper(instance: Instance, web: WebClient) -> None:
    worker = instance.start_worker("worker-main")
    web.register("walter")
    lookup_path = add_paper(web, "1707.06684")
    paper_path = wait_for_paper(web, lookup_path, alive=lambda: (worker.check_alive(), instance.server.check_alive()))
    check_paper_page(web, paper_path, "1707.06684")

    # The job ran in the worker process, not in the web server.
    assert "run_lookup" in worker.output(), worker.logs()
    assert "run_lookup" not in instance.server.output()
    rows = query(instance.database_url, "SELECT l.status, p.public_id FROM paper_lookups l JOIN papers p "
                                        "ON p.id = l.paper_id WHERE l.value = '1707.06684'")
    assert rows == [("done", paper_path.rsplit("/", 1)[1])]

    # Asking again goes straight to the paper page: no second look-up.
    again = web.submit("/papers/add", {"identifier": "arXiv:1707.06684"})
    assert again.status_code == 302 and httpx.URL(again.headers["location"]).path == paper_path

    assert worker.stop() == 0, worker.logs()  # a warm shutdown on SIGTERM
    wait_for("the stopped worker to unregister", lambda: not instance.registered_workers())


def test_the_sweeper_re_enqueues_a_look_up_that_redis_lost(instance: Instance, web: WebClient) -> None:
    for worker in instance.workers:
        worker.stop()
    wait_for("no worker to listen to the queue", lambda: not instance.registered_workers())

    web.register("fiona")
    lookup_path = add_paper(web, "1512.03385")
    queue_key = f"rq:queue:{instance.queue_name}"
    assert instance.redis.llen(queue_key) == 1, "the look-up job was not queued in Redis"

    # Redis loses everything (as a restart without persistence would): the queued job is gone.
    lost = harness.delete_queue_keys(instance.redis, instance.queue_name)
    assert lost >= 2  # at least the queue and the job hash
    assert instance.redis.llen(queue_key) == 0
    assert harness.queue_keys(instance.redis, instance.queue_name) == []
    assert 'data-status="pending"' in web.http.get(lookup_path).text

    worker = instance.start_worker("worker-sweeper", sweeper_interval="1")
    paper_path = wait_for_paper(web, lookup_path, alive=lambda: (worker.check_alive(), instance.server.check_alive()))
    check_paper_page(web, paper_path, "1512.03385")
    assert "run_lookup" in worker.output(), worker.logs()
    assert query(instance.database_url, "SELECT count(*) FROM papers WHERE arxiv_id = '1512.03385'") == [(1,)]
    assert query(instance.database_url, "SELECT status FROM paper_lookups WHERE value = '1512.03385'") == [("done",)]
    assert worker.stop() == 0, worker.logs()
