"""Helpers for web tests: CSRF tokens, log-in, users and papers, query counting, job waiting."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event

from fediscience.db import db
from fediscience.papers.metadata import PaperMetadata

TEST_SECRET = "test-secret-key-that-is-long-enough"
PASSWORD = "correct horse battery"
_CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def csrf_token(client: FlaskClient, path: str = "/login") -> str:
    """A valid CSRF token for the client's session, read from a page's form."""
    html = client.get(path).get_data(as_text=True)
    match = _CSRF.search(html)
    assert match, f"no CSRF token on {path}"
    return match.group(1) or match.group(2)


def post_form(client: FlaskClient, path: str, data: dict[str, Any], **kwargs: Any) -> Any:
    """POST a form with a valid CSRF token."""
    return client.post(path, data={"csrf_token": csrf_token(client), **data}, **kwargs)


def register(client: FlaskClient, username: str, email: str | None = None) -> Any:
    """Register (and so log in) a user through the web form."""
    response = post_form(
        client, "/register", {"username": username, "email": email or f"{username}@example.org", "password": PASSWORD}
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return response


def login(client: FlaskClient, username: str) -> None:
    """Log a registered user in."""
    response = post_form(client, "/login", {"login": username, "password": PASSWORD})
    assert response.status_code == 302


def make_paper(title: str = "A Paper", **fields: Any) -> Any:
    """Store a paper directly from metadata (no network)."""
    from fediscience.papers.services import store_metadata

    defaults: dict[str, Any] = {
        "authors": ["Ada Lovelace", "Alan Turing"],
        "venue": "NeurIPS",
        "year": 2017,
        "abstract": "We study things. " * 40,
        "keywords": ["cs.LG"],
        "published": date(2017, 7, 21),
        "arxiv_id": fields.pop("arxiv_id", "1707.06684"),
    }
    defaults.update(fields)
    return store_metadata(PaperMetadata(title=title, source="manual", **defaults))


def wait_for_jobs(app: Flask, timeout: float = 30.0) -> None:
    """Wait until the app's background-thread jobs are done."""
    runner = app.extensions["fediscience.jobs"]
    if hasattr(runner, "wait"):
        runner.wait(timeout)


@contextmanager
def count_queries(app: Flask) -> Iterator[list[str]]:
    """Collect the SQL statements the app's engine runs inside the block."""
    statements: list[str] = []
    with app.app_context():
        engine = db.engine

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)
