"""Two FediScience instances as separate server processes on 127.0.0.1 ports, each with its own PostgreSQL
database, its own Redis queue and a `fediscience worker`, talking real HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

import pytest

from tests.papers.recorded_server import start_recorded_server
from tests.system import harness

REDIS_DB = 7


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome: Any = yield
    harness.attach_service_logs(item, call, outcome.get_result())


@dataclass
class Instance:
    """One running instance: its address, database, environment and a browser-like client."""

    name: str
    port: int
    base_url: str
    database_url: str
    env: dict[str, str]
    web: harness.WebClient

    @property
    def host(self) -> str:
        """Host and port, as in handles (@user@host)."""
        return f"127.0.0.1:{self.port}"

    def query(self, sql: str, **params: Any) -> list[Any]:
        """Rows from this instance's database."""
        return harness.query(self.database_url, sql, **params)

    def client(self) -> harness.WebClient:
        """A fresh browser-like client (its own cookies)."""
        return harness.WebClient(self.base_url)


@pytest.fixture(scope="module")
def recorded_base() -> Iterator[str]:
    """The recorded arXiv/Crossref/DBLP server both instances fetch metadata from."""
    base_url, stop = start_recorded_server()
    try:
        yield base_url
    finally:
        stop()


@pytest.fixture(scope="module")
def instances(recorded_base: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Instance]]:
    """Instances "a" and "b", each served and worked by its own processes."""
    redis = harness.redis_connection(REDIS_DB)
    with ExitStack() as stack:
        result = {name: _start(name, recorded_base, tmp_path_factory, redis, stack) for name in "ab"}
        yield result


def _start(name: str, recorded_base: str, tmp_path_factory: pytest.TempPathFactory, redis: Any,
           stack: ExitStack) -> Instance:
    database_url = stack.enter_context(harness.fresh_database("fs_fed"))
    port = harness.free_port()
    queue = harness.unique_queue_name(f"fed-{name}")
    stack.callback(harness.delete_queue_keys, redis, queue)
    folder = tmp_path_factory.mktemp(f"instance-{name}")
    env = harness.app_env(
        database_url=database_url, instance_path=folder / "instance", recorded_base=recorded_base,
        base_url=f"http://127.0.0.1:{port}", redis_url=f"redis://127.0.0.1:6379/{REDIS_DB}",
        queue_name=queue, allow_private_addresses="1", sweeper_interval="1",
    )
    init = harness.run_cli(env, "init")
    assert init.returncode == 0, harness.describe(init)
    stack.callback(harness.start_server(env, port, folder, name=f"serve-{name}").dispose)
    stack.callback(harness.start_worker(env, redis, queue, folder, name=f"worker-{name}").dispose)
    web = harness.WebClient(f"http://127.0.0.1:{port}")
    stack.callback(web.close)
    return Instance(name, port, f"http://127.0.0.1:{port}", database_url, env, web)
