"""Fixtures for web tests: a paper, and logged-in clients."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from fediscience.db import db
from tests.helpers import make_paper, register


@pytest.fixture
def paper_id(app: Flask) -> str:
    """The public id of a stored paper."""
    with app.app_context():
        public_id = make_paper("Robustness of classifiers").public_id
        db.session.commit()
    return public_id


@pytest.fixture
def alice(app: Flask) -> FlaskClient:
    """A client logged in as alice."""
    client = app.test_client()
    register(client, "alice")
    return client


@pytest.fixture
def bob(app: Flask) -> FlaskClient:
    """A client logged in as bob."""
    client = app.test_client()
    register(client, "bob")
    return client
