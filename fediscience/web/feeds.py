"""Placeholder blueprint for feeds: filled in by the browsing issue."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("feeds", __name__)
