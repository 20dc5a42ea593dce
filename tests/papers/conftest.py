"""Shared fixtures for the paper-metadata tests: an httpx.Client answering from recorded responses."""

from collections.abc import Iterator

import httpx
import pytest

from tests.papers.recorded import recorded_transport


@pytest.fixture
def requests_seen() -> list[httpx.Request]:
    """Every request the recorded client sent, in order."""
    return []


@pytest.fixture
def client(requests_seen: list[httpx.Request]) -> Iterator[httpx.Client]:
    """An httpx.Client whose every request is answered from tests/fixtures/recorded."""
    with httpx.Client(transport=recorded_transport(log=requests_seen)) as recorded_client:
        yield recorded_client
