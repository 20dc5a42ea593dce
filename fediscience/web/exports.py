"""Placeholder blueprint for exports: filled in by the browsing issue."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("exports", __name__)
