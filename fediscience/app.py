"""The application factory."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from flask import Flask
from flask_wtf import CSRFProtect
from sqlalchemy import event
from sqlalchemy.engine import Engine

from .config import Settings, load_settings
from .db import db

ROOT = Path(__file__).resolve().parent.parent
csrf = CSRFProtect()


def create_app(settings: Settings | None = None, **overrides: Any) -> Flask:
    """Build a configured FediScience app (settings from the environment unless given)."""
    settings = settings or load_settings(**overrides)
    settings.instance_path.mkdir(parents=True, exist_ok=True)
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        instance_path=str(settings.instance_path.resolve()),
    )
    app.extensions["fediscience.settings"] = settings
    app.config.update(_flask_config(settings))
    db.init_app(app)
    csrf.init_app(app)
    from . import models  # noqa: F401  (complete the metadata)
    from .jobs.queue import init_jobs
    from .web import register_web

    init_jobs(app)
    register_web(app)
    from .federation.subscriptions_keys import connect_key_signals

    connect_key_signals(app)
    from .notifications.subscriptions import connect as connect_notifications

    connect_notifications(app)
    from .federation.subscriptions_tombstones import connect as connect_tombstones

    connect_tombstones(app)
    from .federation.publishing import connect as connect_publishing

    connect_publishing(app)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    return app


def _flask_config(settings: Settings) -> dict[str, Any]:
    return {
        "SECRET_KEY": settings.resolved_secret_key(),
        "SQLALCHEMY_DATABASE_URI": settings.resolved_database_url(),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": settings.secure,
        "PREFERRED_URL_SCHEME": "https" if settings.secure else "http",
        "MAX_CONTENT_LENGTH": max(settings.max_avatar_bytes, settings.max_summary_bytes) * 2 + 100_000,
        "WTF_CSRF_TIME_LIMIT": None,
        "WTF_CSRF_SSL_STRICT": False,
    }


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection: Any, connection_record: Any) -> None:
    """Foreign keys on and WAL for SQLite, so that the thread runner and the web process share it safely."""
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()
