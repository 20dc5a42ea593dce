"""Fixtures shared by the domain and web tests: an app on SQLite and on PostgreSQL, clients, users."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from fediscience import create_app
from fediscience.config import Settings
from fediscience.db import db
from fediscience.migrate import upgrade
from tests.helpers import TEST_SECRET, wait_for_jobs
from tests.papers.recorded import recorded_transport

POSTGRES_ADMIN_URL = os.environ.get("FEDISCIENCE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _settings(tmp_path: Path, database_url: str, **extra: object) -> Settings:
    return Settings(
        instance_path=tmp_path / "instance",
        database_url=database_url,
        base_url="http://localhost",
        secret_key=TEST_SECRET,
        redis_url=None,
        **extra,
    )


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session, migrated once; dropped at the end."""
    name = f"fs_test_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as exc:
        pytest.fail(
            f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL} ({exc.orig}). The tests need it: start it "
            "(see .ci/run) or set FEDISCIENCE_TEST_POSTGRES_URL.",
            pytrace=False,
        )
    url = POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    yield url
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite database file that each test copies."""
    folder = tmp_path_factory.mktemp("sqlite-template")
    path = folder / "template.sqlite3"
    app = create_app(_settings(folder, f"sqlite:///{path}"))
    upgrade(app)
    with app.app_context():
        db.engine.dispose()
    return path


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    """The database the test runs on: every domain and web test runs on both."""
    return request.param


@pytest.fixture
def database_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A clean database for one test."""
    if backend == "sqlite":
        path = tmp_path / "test.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("postgres_url")
    _ensure_migrated(url, tmp_path)
    return url


_MIGRATED: set[str] = set()


def _ensure_migrated(url: str, tmp_path: Path) -> None:
    if url not in _MIGRATED:
        app = create_app(_settings(tmp_path, url))
        upgrade(app)
        with app.app_context():
            db.engine.dispose()
        _MIGRATED.add(url)


def make_test_app(database_url: str, tmp_path: Path, *, recorded: bool = True, **settings: object) -> Flask:
    """An app in TESTING mode on the database, fetching paper metadata from recorded responses unless told not to."""
    application = create_app(_settings(tmp_path, database_url, **settings))
    application.config["TESTING"] = True
    if recorded:
        application.extensions["fediscience.http_transport"] = recorded_transport()
    return application


def retire_test_app(application: Flask) -> None:
    """Let the app's jobs finish, close its federation client, empty its PostgreSQL database, drop its pool."""
    wait_for_jobs(application)
    client = application.extensions.get("fediscience.federation.http_client")
    if client is not None:
        client.close()
    with application.app_context():
        if application.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
            _truncate_all()
        db.engine.dispose()


@contextmanager
def running_app(database_url: str, tmp_path: Path, **options: object) -> Iterator[Flask]:
    """`make_test_app` for the duration of the block, then `retire_test_app`."""
    application = make_test_app(database_url, tmp_path, **options)  # type: ignore[arg-type]
    try:
        yield application
    finally:
        retire_test_app(application)


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """An app on a clean database, fetching paper metadata from recorded responses."""
    with running_app(database_url, tmp_path) as application:
        yield application


def _truncate_all() -> None:
    tables = ", ".join(f'"{table.name}"' for table in db.metadata.sorted_tables)
    db.session.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    db.session.commit()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client of the app."""
    return app.test_client()


@pytest.fixture
def app_context(app: Flask) -> Iterator[Flask]:
    """An application context for domain tests."""
    with app.app_context():
        yield app
