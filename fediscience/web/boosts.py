"""Boosts on pages: the `boost_count(summary)` template helper (boosts arrive as Announces, see ingest/boosts.py)."""

from __future__ import annotations

from flask import Blueprint

from ..boosts.services import boost_count as count_boosts
from ..summaries.models import Summary

bp = Blueprint("boosts", __name__)


@bp.app_template_global("boost_count")
def boost_count(summary: Summary) -> int:
    """How many fediverse accounts boosted the summary (one query: use on single-summary pages only)."""
    return count_boosts(summary)
