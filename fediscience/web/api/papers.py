"""Papers: read by public id or by any identifier, request new ones, follow their look-ups, list summaries."""

from __future__ import annotations

from flask import Response, jsonify, request
from sqlalchemy import select

from ...db import db
from ...papers import services
from ...papers.identifiers import Identifier, InvalidIdentifier, arxiv_id_from_dblp_key, parse_identifier
from ...papers.models import Paper
from ...summaries.models import Summary
from . import bp
from .auth import require_actor, viewer
from .errors import ApiError
from .payload import Field, json_body
from .serializers import absolute, lookup_json, paper_brief, paper_json, summary_json


@bp.get("/papers/<public_id>")
def paper(public_id: str) -> Response:
    """A paper by its public id."""
    return jsonify(paper_json(services.get_paper(public_id)))


@bp.get("/papers/lookup")
def lookup_paper() -> Response:
    """A paper by arXiv id, DOI, DBLP key or URL: 400 if unreadable, 404 if not here."""
    text = request.args.get("id", "")
    try:
        identifier = parse_identifier(text)
    except InvalidIdentifier as exc:
        raise ApiError(400, str(exc)) from None
    found = _find(identifier)
    if found is None:
        raise ApiError(404, f"There is no paper with {identifier} here yet; POST it to /api/v1/papers to add it.")
    return jsonify(paper_json(found))


@bp.post("/papers")
def request_paper() -> tuple[Response, int, dict[str, str]]:
    """Add a paper by identifier: 200 with it if known, else 202 with the look-up fetching its metadata."""
    actor = require_actor()
    body = json_body({"id": Field(str, required=True)})
    outcome = services.request_paper(body["id"], actor)
    db.session.commit()
    if outcome.paper is not None:
        return jsonify(paper_json(outcome.paper)), 200, {}
    data = lookup_json(outcome.lookup)
    return jsonify(data), 202, {"Location": data["url"]}


@bp.get("/lookups/<public_id>")
def lookup(public_id: str) -> Response:
    """A paper look-up: pending, done (with the paper) or failed (with the reason)."""
    return jsonify(lookup_json(services.get_lookup(public_id)))


@bp.get("/papers/<public_id>/summaries")
def paper_summaries(public_id: str) -> Response:
    """The paper's public summaries, best score first, and the caller's own whatever its state."""
    found = services.get_paper(public_id)
    reader = viewer()
    visible = ~Summary.is_draft & ~Summary.is_private
    if reader is not None:
        visible = visible | (Summary.author_id == reader.id)
    query = select(Summary).where(Summary.paper_id == found.id, visible)
    order = (Summary.score.desc(), Summary.published_at.asc(), Summary.id.asc())
    summaries = db.session.scalars(query.order_by(*order))
    return jsonify({
        "paper": paper_brief(found),
        "summaries": [summary_json(summary, reader) for summary in summaries],
        "url": absolute("api.paper_summaries", public_id=public_id),
    })


def _find(identifier: Identifier) -> Paper | None:
    """The paper with this identifier; a DBLP CoRR key also finds the paper stored under its arXiv id."""
    found = services.find_paper(identifier)
    if found is None and identifier.scheme == "dblp":
        arxiv_id = arxiv_id_from_dblp_key(identifier.value)
        if arxiv_id is not None:
            found = services.find_paper(Identifier("arxiv", arxiv_id))
    return found
