"""The outbound HTTP client shared by metadata look-ups (httpx, with a test-injectable transport)."""

from __future__ import annotations

import httpx
from flask import Flask, current_app

from . import __version__


def make_client(app: Flask | None = None) -> httpx.Client:
    """An httpx client with the instance's timeouts and User-Agent (tests may inject a transport)."""
    app = app or current_app._get_current_object()
    settings = app.extensions["fediscience.settings"]
    transport = app.extensions.get("fediscience.http_transport")
    user_agent = f"FediScience/{__version__} (+{settings.base_url}; mailto:{settings.contact_email})"
    return httpx.Client(
        transport=transport,
        timeout=httpx.Timeout(settings.http_timeout, connect=5.0),
        headers={"User-Agent": user_agent},
        follow_redirects=True,
    )
