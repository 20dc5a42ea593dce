"""Discovery: WebFinger, host-meta, and NodeInfo 2.0 / 2.1 with its discovery document."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, current_app, request
from werkzeug.wrappers import Response

from .. import __version__
from ..activitypub import WebFingerError
from ..activitypub.mediatypes import JRD_JSON, XRD_XML
from ..activitypub.nodeinfo import VERSIONS, content_type, discovery_document, nodeinfo_document
from ..activitypub.webfinger import build_jrd, host_meta_xml, parse_resource
from ..federation.discovery import node_usage, resolve_resource
from ..federation.urls import base_url

bp = Blueprint("wellknown", __name__)
CORS = {"Access-Control-Allow-Origin": "*"}


def _json(doc: Any, mimetype: str, status: int = 200, max_age: int = 0) -> Response:
    response = Response(json.dumps(doc, ensure_ascii=False), status, mimetype=mimetype, headers=CORS)
    if max_age:
        response.cache_control.public, response.cache_control.max_age = True, max_age
    return response


@bp.route("/.well-known/webfinger")
def webfinger() -> Response:
    """WebFinger: `acct:user@host`, `user@host` or an actor/profile URL → our JRD; 400 malformed, 404 unknown."""
    raw = request.args.get("resource", "")
    if not raw.strip():
        return _json({"error": "the resource parameter is missing"}, "application/json", 400)
    try:
        resource = parse_resource(raw)
    except WebFingerError as exc:
        return _json({"error": str(exc)}, "application/json", 400)
    account = resolve_resource(resource)
    if account is None:
        return _json({"error": "there is no such account here"}, "application/json", 404)
    jrd = build_jrd(account.acct, account.actor_url, profile_url=account.profile_url, aliases=list(account.aliases))
    return _json(jrd, JRD_JSON, max_age=3600)


@bp.route("/.well-known/host-meta")
def host_meta() -> Response:
    """host-meta: an XRD (with its namespace) pointing `lrdd` at our WebFinger."""
    return Response(host_meta_xml(base_url()), mimetype=XRD_XML, headers=CORS)


@bp.route("/.well-known/nodeinfo")
def nodeinfo_links() -> Response:
    """The NodeInfo discovery document: links to 2.0 and 2.1."""
    return _json(discovery_document(base_url()), "application/json", max_age=3600)


@bp.route("/nodeinfo/<version>")
def nodeinfo(version: str) -> Response:
    """NodeInfo 2.0 or 2.1: software, protocols, usage, open registrations; 404 for other versions."""
    if version not in VERSIONS:
        return _json({"error": "unsupported NodeInfo version"}, "application/json", 404)
    settings = current_app.extensions["fediscience.settings"]
    doc = nodeinfo_document(
        version, software_name="fediscience", software_version=__version__, usage=node_usage(),
        open_registrations=settings.registration_open, metadata={"nodeName": settings.site_name},
    )
    response = _json(doc, "application/json", max_age=1800)
    response.headers["Content-Type"] = content_type(version)
    return response
