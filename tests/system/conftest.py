"""Fixtures of the multi-process system tests: a fresh PostgreSQL database per module, the recorded
arXiv/Crossref/DBLP server, and process logs in failure reports."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.papers.recorded_server import start_recorded_server
from tests.system import harness


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome: Any = yield
    harness.attach_service_logs(item, call, outcome.get_result())


@pytest.fixture(scope="module")
def pg_database() -> Iterator[str]:
    """A fresh, empty PostgreSQL database `fs_sys_<random>` for the module; dropped afterwards."""
    with harness.fresh_database("fs_sys") as url:
        yield url


@pytest.fixture(scope="module")
def recorded_base() -> Iterator[str]:
    """The base URL of a real HTTP server answering with recorded arXiv, Crossref and DBLP responses."""
    base_url, stop = start_recorded_server()
    try:
        yield base_url
    finally:
        stop()
