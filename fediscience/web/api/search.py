"""Search: papers and public summaries matching a query, best first."""

from __future__ import annotations

from flask import Response, jsonify, request

from . import bp
from .payload import int_argument
from .serializers import hit_json

MAX_LIMIT = 100
MAX_OFFSET = 10_000


@bp.get("/search")
def search() -> Response:
    """Hits for ?q= (every word must match), ?limit= (1-100, default 20) from ?offset=."""
    from ...search import search as run_search

    query = request.args.get("q", "")
    limit = int_argument("limit", 20, 1, MAX_LIMIT)
    offset = int_argument("offset", 0, 0, MAX_OFFSET)
    page = run_search(query, limit=limit, offset=offset)
    return jsonify({
        "query": query,
        "total": page.total,
        "limit": limit,
        "offset": offset,
        "hits": [hit_json(hit) for hit in page.hits],
    })
