"""Fixtures of the browser tests: a served instance (serve + worker on a fresh PostgreSQL database and
Redis database 6, the recorded arXiv server) and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.papers.recorded_server import start_recorded_server
from tests.system import harness

REDIS_DB = 6
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome: Any = yield
    harness.attach_service_logs(item, call, outcome.get_result())


@dataclass
class Served:
    """A running instance: its public address, database, and processes."""

    base_url: str
    database_url: str
    server: harness.Service
    worker: harness.Service

    def check_alive(self) -> None:
        self.server.check_alive()
        self.worker.check_alive()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    redis = harness.redis_connection(REDIS_DB)
    queue_name = harness.unique_queue_name("browser")
    log_dir = tmp_path_factory.mktemp("browser-logs")
    recorded_base, stop_recorded = start_recorded_server()
    services: list[harness.Service] = []
    try:
        with harness.fresh_database("fs_sys") as database_url:
            port = harness.free_port()
            base_url = f"http://127.0.0.1:{port}"
            env = harness.app_env(
                database_url=database_url, instance_path=log_dir / "instance", recorded_base=recorded_base,
                base_url=base_url, redis_url=f"{harness.REDIS_HOST_URL}/{REDIS_DB}", queue_name=queue_name,
            )
            try:
                server = harness.start_server(env, port, log_dir)
                services.append(server)
                worker = harness.start_worker(env, redis, queue_name, log_dir)
                services.append(worker)
                yield Served(base_url, database_url, server, worker)
            finally:
                for service in reversed(services):
                    service.dispose()
    finally:
        stop_recorded()
        harness.delete_queue_keys(redis, queue_name)
        assert harness.queue_is_gone(redis, queue_name)
        redis.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium, headless, through Playwright (never a downloaded browser)."""
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package (apt-get install chromium).",
                    pytrace=False)
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError:
        pytest.fail("the playwright package is missing: pip install -e '.[test]'", pytrace=False)
    with sync_playwright() as playwright:
        try:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        except Error as exc:
            pytest.fail(f"Chromium at {CHROMIUM} could not be started by Playwright: {exc}", pytrace=False)
        try:
            yield chromium
        finally:
            chromium.close()
