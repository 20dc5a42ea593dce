"""Helpers for search tests: papers with chosen words, and summaries written through the domain services."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from fediscience.db import db
from fediscience.papers.models import Paper
from fediscience.summaries.models import Summary
from fediscience.summaries.services import create_summary
from fediscience.users.models import Actor
from fediscience.users.services import register_user
from tests.helpers import PASSWORD, make_paper
from tests.web.conftest import alice, bob, paper_id  # noqa: F401  (logged-in clients for the page tests)

_ARXIV_IDS = itertools.count(1000)


def paper(title: str, **fields: Any) -> Paper:
    """A stored paper with a unique arXiv id and a neutral abstract unless given."""
    fields.setdefault("abstract", "An ordinary abstract about nothing in particular.")
    return make_paper(title, arxiv_id=f"2101.{next(_ARXIV_IDS):05d}", **fields)


def summary(author: Actor, of: Paper, source: str, *, draft: bool = False, private: bool = False) -> Summary:
    """A summary written with the service, as the web form would."""
    return create_summary(author, of, source, draft=draft, private=private)


@pytest.fixture
def writer(app_context: Any) -> Actor:
    """A local user's actor that writes summaries."""
    return register_user("writer", "writer@example.org", PASSWORD).actor


@pytest.fixture
def commit(app_context: Any) -> Any:
    """Commit the session (the web layer commits once per request; tests do it explicitly)."""
    return db.session.commit
