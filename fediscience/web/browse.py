"""Browsing: venues and years, the user directory, author pages."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("browse", __name__)
