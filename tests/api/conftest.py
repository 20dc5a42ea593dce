"""Fixtures for API tests: users with tokens, a paper, summaries written through the API, a JSON client."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from fediscience.db import db
from fediscience.tokens.services import create_token
from fediscience.users.services import register_user
from tests.helpers import PASSWORD
from tests.web.conftest import paper_id  # noqa: F401  (a stored paper)


@dataclass
class ApiUser:
    """A registered user, their actor's public id and a personal access token."""

    username: str
    public_id: str
    token: str


def make_api_user(app: Flask, username: str) -> ApiUser:
    """Register a user and create a token for them, directly through the services."""
    with app.app_context():
        user = register_user(username, f"{username}@example.org", PASSWORD)
        _, plaintext = create_token(user, "tests")
        db.session.commit()
        return ApiUser(username, user.actor.public_id, plaintext)


def call(client: FlaskClient, method: str, path: str, token: str | None = None, body: Any = None,
         raw: str | bytes | None = None, **kwargs: Any) -> Any:
    """Send an API request: body as JSON, or raw bytes; with the token as a bearer credential."""
    headers = kwargs.pop("headers", {})
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    if body is not None:
        kwargs["json"] = body
    elif raw is not None:
        kwargs["data"], kwargs["content_type"] = raw, "application/json"
    return client.open(f"/api/v1{path}", method=method, headers=headers, **kwargs)


def error_of(response: Any, status: int) -> str:
    """Check an error response's status and JSON shape; return its reason."""
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/json"
    error = response.get_json()["error"]
    assert error["status"] == status and error["reason"]
    return error["reason"]


def write_summary(client: FlaskClient, token: str, paper: str, source: str = "A fine summary with $x^2$.",
                  **flags: bool) -> str:
    """Write a summary through the API and return its public id."""
    response = call(client, "POST", f"/papers/{paper}/summaries", token, {"source": source, **flags})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


@pytest.fixture
def alice(app: Flask) -> ApiUser:
    """alice, with a token."""
    return make_api_user(app, "alice")


@pytest.fixture
def bob(app: Flask) -> ApiUser:
    """bob, with a token."""
    return make_api_user(app, "bob")


@pytest.fixture
def summary_id(client: FlaskClient, alice: ApiUser, paper_id: str) -> str:
    """A public summary by alice."""
    return write_summary(client, alice.token, paper_id)
