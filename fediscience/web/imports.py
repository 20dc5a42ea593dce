"""Placeholder blueprint for imports: filled in by the browsing issue."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("imports", __name__)
