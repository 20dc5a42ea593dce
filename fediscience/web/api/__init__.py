"""The JSON API under /api/v1/: papers, summaries, comments, votes, users and search, with bearer tokens."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

# Importing the modules attaches their hooks and routes to bp.
from . import auth, errors  # noqa: E402,F401
from . import comments, openapi, papers, search, summaries, users, votes  # noqa: E402,F401
