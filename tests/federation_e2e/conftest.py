"""Two FediScience instances as separate server processes on 127.0.0.1 ports, each with its own PostgreSQL
database, its own Redis queue and a `fediscience worker`, talking real HTTP.

Every test module gets its own pair (the `instances` fixture is module-scoped), so a module that stops servers or
kills workers does not disturb the others. The `Instance` object starts, stops and kills its processes.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.papers.recorded_server import start_recorded_server
from tests.system import harness

REDIS_DB = 7
SETTINGS = {"allow_private_addresses": "1", "sweeper_interval": "1", "key_rotation_settle": "2"}


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome: Any = yield
    harness.attach_service_logs(item, call, outcome.get_result())


@dataclass
class Instance:
    """One instance: its address, database, environment, a browser-like client, and its processes."""

    name: str
    port: int
    database_url: str
    env: dict[str, str]
    folder: Path
    redis: Any
    queue: str
    web: harness.WebClient
    server: harness.Service | None = None
    workers: list[harness.Service] = field(default_factory=list)
    _started: int = 0

    @property
    def base_url(self) -> str:
        """The instance's public address (also where its server answers, unless it is behind a proxy)."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def host(self) -> str:
        """Host and port, as in handles (@user@host)."""
        return f"127.0.0.1:{self.port}"

    def query(self, sql: str, **params: Any) -> list[Any]:
        """Rows from this instance's database."""
        return harness.query(self.database_url, sql, **params)

    def scalar(self, sql: str, **params: Any) -> Any:
        """The single value of a one-row, one-column query (None when there is no row)."""
        rows = self.query(sql, **params)
        assert len(rows) <= 1, f"{self.name}: expected at most one row from {sql!r}, got {rows}"
        return rows[0][0] if rows else None

    def client(self) -> harness.WebClient:
        """A fresh browser-like client (its own cookies)."""
        return harness.WebClient(self.base_url)

    def start_server(self, port: int | None = None) -> harness.Service:
        """Start (or start again) `fediscience serve` with the same database and public address: on the
        instance's port, or on another one (behind a proxy on the instance's port)."""
        assert self.server is None, f"{self.name}: the server is already running"
        self.server = harness.start_server(self.env, port or self.port, self.folder, name=f"serve-{self.name}")
        return self.server

    def stop_server(self) -> None:
        """Stop the server process (SIGTERM); it has exited, and its port is closed, when this returns."""
        assert self.server is not None, f"{self.name}: no server is running"
        self.server.dispose()
        self.server = None

    def start_worker(self, **extra: str) -> harness.Service:
        """Start one more `fediscience worker` on this instance's queue (extra settings as keyword arguments)."""
        self._started += 1
        env = {**self.env, **{f"FEDISCIENCE_{key.upper()}": value for key, value in extra.items()}}
        name = f"worker-{self.name}-{self._started}"
        worker = harness.start_worker(env, self.redis, self.queue, self.folder, name=name)
        self.workers.append(worker)
        return worker

    def stop_worker(self, worker: harness.Service) -> None:
        """A warm shutdown (SIGTERM: the current job finishes first)."""
        worker.dispose()
        self.workers.remove(worker)
        status = worker.process.returncode if worker.process else None
        assert status == 0, f"{worker.name} exited with {status}\n{worker.logs()}"

    def kill_worker(self, worker: harness.Service) -> None:
        """SIGKILL: the worker dies at once, in the middle of whatever it does (its lease stays behind)."""
        assert worker.process is not None and worker.running, f"{worker.name} is not running"
        worker.process.send_signal(signal.SIGKILL)
        worker.dispose()
        self.workers.remove(worker)

    def check_alive(self) -> None:
        """Fail (with the logs) if a process that should run has exited."""
        for service in self.processes():
            service.check_alive()

    def processes(self) -> list[harness.Service]:
        """The server (if running) and the workers."""
        return ([self.server] if self.server else []) + self.workers

    def close(self) -> None:
        """Stop every process and the client."""
        for service in self.processes():
            service.dispose()
        self.server, self.workers = None, []
        self.web.close()


@pytest.fixture(scope="module")
def recorded_base() -> Iterator[str]:
    """The recorded arXiv/Crossref/DBLP server both instances fetch metadata from."""
    base_url, stop = start_recorded_server()
    try:
        yield base_url
    finally:
        stop()


@pytest.fixture(scope="module")
def instance_settings() -> dict[str, str]:
    """Extra FEDISCIENCE_* settings of both instances (a module overrides this fixture to change them)."""
    return {}


@pytest.fixture(scope="module")
def instances(recorded_base: str, tmp_path_factory: pytest.TempPathFactory,
              instance_settings: dict[str, str]) -> Iterator[dict[str, Instance]]:
    """Instances "a" and "b", each served and worked by its own processes."""
    with running_instances("ab", recorded_base, tmp_path_factory, **instance_settings) as started:
        yield started


@contextmanager
def running_instances(names: str, recorded_base: str, tmp_path_factory: pytest.TempPathFactory,
                      **settings: str) -> Iterator[dict[str, Instance]]:
    """`start_instances` on a Redis connection of their own, everything stopped at the end of the block."""
    redis = harness.redis_connection(REDIS_DB)
    with ExitStack() as stack:
        stack.callback(redis.close)
        yield start_instances(names, recorded_base, tmp_path_factory, redis, stack, **settings)


def start_instances(names: str, recorded_base: str, tmp_path_factory: pytest.TempPathFactory, redis: Any,
                    stack: ExitStack, **settings: str) -> dict[str, Instance]:
    """Prepare the named instances, then start their servers together and their workers together.

    `fediscience serve` migrates the fresh database before it answers, so a worker starts only once its server
    answers. Everything is undone by `stack`.
    """
    result = {name: _prepare(name, recorded_base, tmp_path_factory, redis, stack, settings) for name in names}
    stack.callback(close_all, list(result.values()))
    with ThreadPoolExecutor(len(result)) as pool:
        for future in [pool.submit(instance.start_server) for instance in result.values()]:
            future.result()
        for future in [pool.submit(instance.start_worker) for instance in result.values()]:
            future.result()
    return result


def _prepare(name: str, recorded_base: str, tmp_path_factory: pytest.TempPathFactory, redis: Any,
             stack: ExitStack, settings: dict[str, str]) -> Instance:
    database_url = stack.enter_context(harness.fresh_database("fs_fed"))
    port = harness.listening_port()
    queue = harness.unique_queue_name(f"fed-{name}")
    stack.callback(harness.delete_queue_keys, redis, queue)
    folder = tmp_path_factory.mktemp(f"instance-{name}")
    env = harness.app_env(
        database_url=database_url, instance_path=folder / "instance", recorded_base=recorded_base,
        base_url=f"http://127.0.0.1:{port}", redis_url=f"{harness.REDIS_HOST_URL}/{REDIS_DB}",
        queue_name=queue, **{**SETTINGS, **settings},
    )
    stack.callback(redis.delete, f"fediscience:inbox-drain-queued:{queue}")  # the inbox's "drain queued" flag
    return Instance(name, port, database_url, env, folder, redis, queue, harness.WebClient(f"http://127.0.0.1:{port}"))


def close_all(instances: list[Instance]) -> None:
    """Stop the processes of every instance: all are signalled first, so that they shut down together."""
    for instance in instances:
        for service in instance.processes():
            if service.running and service.process is not None:
                service.process.send_signal(signal.SIGTERM)
    for instance in instances:
        instance.close()
