"""Fixtures for import and export tests: users made through the service, and a CLI runner bound to the app."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from flask import Flask

from fediscience.cli import main
from fediscience.db import db
from fediscience.users.services import find_user, register_user
from tests.helpers import PASSWORD
from tests.web.conftest import alice, bob  # noqa: F401  (the logged-in clients of the web tests)


@pytest.fixture
def make_user(app: Flask) -> Callable[[str], None]:
    """Create a local user (committed) unless a fixture already registered it."""

    def make(name: str) -> None:
        with app.app_context():
            if find_user(name) is None:
                register_user(name, f"{name}@example.org", PASSWORD)
                db.session.commit()

    return make


@pytest.fixture
def cli(app: Flask, tmp_path: Path) -> Callable[..., Result]:
    """Run `fediscience …` against the test app, with a file's text written to a temporary path."""

    def run(*args: str, file_text: str | None = None) -> Result:
        argv = list(args)
        if file_text is not None:
            path = tmp_path / f"input-{len(list(tmp_path.glob('input-*')))}.txt"
            path.write_text(file_text, encoding="utf-8")
            argv = [str(path) if arg == "FILE" else arg for arg in argv]
        return CliRunner().invoke(main, argv, obj=app, catch_exceptions=False)

    return run
