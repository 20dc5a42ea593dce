"""WSGI entry point: `gunicorn wsgi:app` (settings from FEDISCIENCE_* environment variables)."""

from fediscience import create_app

app = create_app()
