"""The JSON API under /api/v1/ (placeholder: filled in by the browsing issue)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")
