"""The OpenAPI 3.1 description of the API, served at /api/v1/openapi.json."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, jsonify

from . import bp

Spec = dict[str, Any]


def _ref(name: str) -> Spec:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: Spec, description: str) -> Spec:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _error(description: str) -> Spec:
    return {"$ref": f"#/components/responses/{description}"}


def _path_param(name: str, description: str) -> Spec:
    return {"name": name, "in": "path", "required": True, "description": description, "schema": {"type": "string"}}


def _query(name: str, description: str, schema: Spec, required: bool = False) -> Spec:
    return {"name": name, "in": "query", "required": required, "description": description, "schema": schema}


def _op(summary: str, responses: Spec, *, write: bool = False, token: bool = False,
        params: list[Spec] | None = None, body: str | None = None, operation_id: str) -> Spec:
    """One operation: reads take an optional token, writes need one and can answer 400, 401 and 403."""
    operation: Spec = {"summary": summary, "operationId": operation_id, "responses": dict(responses)}
    operation["security"] = [{"bearer": []}] if write or token else [{}, {"bearer": []}]
    if params:
        operation["parameters"] = params
    if body:
        operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": _ref(body)}}}
    operation["responses"].setdefault("401", _error("Unauthorized"))
    if write:
        operation["responses"].setdefault("400", _error("BadRequest"))
        operation["responses"].setdefault("403", _error("Forbidden"))
    return operation


_PAPER = _path_param("public_id", "The paper's public id (as in /p/<id>).")
_SUMMARY = _path_param("public_id", "The summary's public id (as in /s/<id>).")
_COMMENT = _path_param("public_id", "The comment's public id (as in /c/<id>).")
_NOT_FOUND = {"404": _error("NotFound")}
_NO_CONTENT = {"204": {"description": "Done; no body."}}

_PATHS: Spec = {
    "/papers": {
        "post": _op(
            "Add a paper by arXiv id, DOI, DBLP key or URL", {
                "200": _json(_ref("Paper"), "The paper was already here."),
                "202": _json(_ref("Lookup"), "Its metadata is being fetched; poll the look-up (also in Location)."),
            }, write=True, body="PaperRequest", operation_id="requestPaper",
        ),
    },
    "/papers/lookup": {
        "get": _op(
            "Find a paper by any identifier",
            {"200": _json(_ref("Paper"), "The paper."), "400": _error("BadRequest"), **_NOT_FOUND},
            params=[_query("id", "An arXiv id, DOI, DBLP key or URL.", {"type": "string"}, required=True)],
            operation_id="lookupPaper",
        ),
    },
    "/papers/{public_id}": {
        "get": _op("A paper", {"200": _json(_ref("Paper"), "The paper."), **_NOT_FOUND}, params=[_PAPER],
                   operation_id="getPaper"),
    },
    "/papers/{public_id}/summaries": {
        "get": _op(
            "The paper's public summaries, best first, plus the caller's own",
            {"200": _json(_ref("SummaryList"), "The summaries."), **_NOT_FOUND},
            params=[_PAPER], operation_id="listPaperSummaries",
        ),
        "post": _op(
            "Write a summary of the paper",
            {"201": _json(_ref("Summary"), "The summary (its API address in Location)."), **_NOT_FOUND,
             "409": _error("Conflict")},
            write=True, params=[_PAPER], body="SummaryCreate", operation_id="createSummary",
        ),
    },
    "/lookups/{public_id}": {
        "get": _op(
            "A paper look-up: pending, done or failed",
            {"200": _json(_ref("Lookup"), "The look-up."), **_NOT_FOUND},
            params=[_path_param("public_id", "The look-up's id.")], operation_id="getLookup",
        ),
    },
    "/summaries/{public_id}": {
        "get": _op(
            "A summary: public, the caller's own, or private with its share token",
            {"200": _json(_ref("Summary"), "The summary."), **_NOT_FOUND},
            params=[_SUMMARY, _query("share", "The share token of a private summary.", {"type": "string"})],
            operation_id="getSummary",
        ),
        "patch": _op(
            "Change one's summary (fields left out stay as they are)",
            {"200": _json(_ref("Summary"), "The changed summary."), **_NOT_FOUND},
            write=True, params=[_SUMMARY], body="SummaryChange", operation_id="editSummary",
        ),
        "delete": _op("Delete one's summary", {**_NO_CONTENT, **_NOT_FOUND}, write=True, params=[_SUMMARY],
                      operation_id="deleteSummary"),
    },
    "/summaries/{public_id}/comments": {
        "get": _op(
            "The summary's comments in thread order, with parent ids",
            {"200": _json(_ref("CommentList"), "The comments."), **_NOT_FOUND},
            params=[_SUMMARY], operation_id="listComments",
        ),
        "post": _op(
            "Comment on a public summary, or reply to one of its comments",
            {"201": _json(_ref("Comment"), "The comment (its API address in Location)."), **_NOT_FOUND},
            write=True, params=[_SUMMARY], body="CommentCreate", operation_id="createComment",
        ),
    },
    "/summaries/{public_id}/vote": {
        "put": _op(
            "Vote +1 or -1 on someone else's public summary (again to change it)",
            {"200": _json(_ref("VoteResult"), "The vote and the summary's new score."), **_NOT_FOUND},
            write=True, params=[_SUMMARY], body="VoteRequest", operation_id="vote",
        ),
        "delete": _op("Withdraw one's vote", {**_NO_CONTENT, **_NOT_FOUND}, write=True, params=[_SUMMARY],
                      operation_id="unvote"),
    },
    "/comments/{public_id}": {
        "get": _op("A comment", {"200": _json(_ref("Comment"), "The comment."), **_NOT_FOUND}, params=[_COMMENT],
                   operation_id="getComment"),
        "patch": _op(
            "Change one's comment", {"200": _json(_ref("Comment"), "The changed comment."), **_NOT_FOUND},
            write=True, params=[_COMMENT], body="CommentChange", operation_id="editComment",
        ),
        "delete": _op("Delete one's comment", {**_NO_CONTENT, **_NOT_FOUND}, write=True, params=[_COMMENT],
                      operation_id="deleteComment"),
    },
    "/users/{public_id}": {
        "get": _op(
            "A user's profile, sciscore and public summaries",
            {"200": _json(_ref("Profile"), "The profile."), **_NOT_FOUND},
            params=[_path_param("public_id", "The user's public id (as in /u/<id>).")], operation_id="getUser",
        ),
    },
    "/users/by-name/{username}": {
        "get": _op(
            "A user's profile by username", {"200": _json(_ref("Profile"), "The profile."), **_NOT_FOUND},
            params=[_path_param("username", "The username (case-insensitive).")], operation_id="getUserByName",
        ),
    },
    "/me": {
        "get": _op(
            "The token's user, with all their summaries (drafts and private ones too)",
            {"200": _json(_ref("Me"), "The caller's profile.")}, token=True, operation_id="getMe",
        ),
    },
    "/search": {
        "get": _op(
            "Papers and public summaries matching every word of a query",
            {"200": _json(_ref("SearchPage"), "The hits, best first."), "400": _error("BadRequest")},
            params=[
                _query("q", "The query.", {"type": "string"}),
                _query("limit", "Hits per page.", {"type": "integer", "minimum": 1, "maximum": 100, "default": 20}),
                _query("offset", "Hits to skip.", {"type": "integer", "minimum": 0, "maximum": 10000, "default": 0}),
            ],
            operation_id="search",
        ),
    },
    "/openapi.json": {
        "get": _op("This document", {"200": _json({"type": "object"}, "The OpenAPI document.")},
                   operation_id="openapi"),
    },
}

_STRING, _INT, _BOOL = {"type": "string"}, {"type": "integer"}, {"type": "boolean"}
_TIME = {"type": "string", "format": "date-time"}
_NULLABLE_STRING = {"type": ["string", "null"]}


def _object(properties: Spec, required: list[str] | None = None, closed: bool = True) -> Spec:
    schema: Spec = {"type": "object", "properties": properties, "required": required or list(properties)}
    if closed:
        schema["additionalProperties"] = False
    return schema


_ACTOR = _object({"id": _STRING, "username": _STRING, "display_name": _STRING, "url": _NULLABLE_STRING})
_PAPER_BRIEF = {
    "id": _STRING, "url": _STRING, "title": _STRING,
    "identifiers": _object({"arxiv": _NULLABLE_STRING, "doi": _NULLABLE_STRING, "dblp": _NULLABLE_STRING}),
}
_SUMMARY_FIELDS = {
    "id": _STRING, "url": _STRING, "paper": _ref("PaperBrief"), "author": _ref("Actor"), "source": _STRING,
    "html": _STRING, "draft": _BOOL, "private": _BOOL, "score": _INT, "upvotes": _INT, "downvotes": _INT,
    "created_at": _TIME, "updated_at": _TIME, "published_at": {"type": ["string", "null"], "format": "date-time"},
}
_PROFILE_FIELDS = {
    "id": _STRING, "username": _STRING, "display_name": _STRING, "url": _NULLABLE_STRING, "bio": _STRING,
    "avatar_url": _NULLABLE_STRING, "orcid": _NULLABLE_STRING, "website": _NULLABLE_STRING, "created_at": _TIME,
    "sciscore": {"type": "number"}, "summaries": {"type": "array", "items": _ref("Summary")},
}

_SCHEMAS: Spec = {
    "Error": _object({"error": _object(
        {"status": _INT, "reason": _STRING, "field": _STRING}, required=["status", "reason"]
    )}),
    "Actor": _ACTOR,
    "PaperBrief": _object(_PAPER_BRIEF),
    "Paper": _object({
        **_PAPER_BRIEF, "authors": {"type": "array", "items": _STRING}, "venue": _NULLABLE_STRING,
        "year": {"type": ["integer", "null"]}, "published_on": {"type": ["string", "null"], "format": "date"},
        "abstract": _NULLABLE_STRING, "keywords": {"type": "array", "items": _STRING},
        "landing_url": _NULLABLE_STRING, "pdf_url": _NULLABLE_STRING, "summary_count": _INT,
        "summaries_url": _STRING,
    }),
    "Lookup": _object({
        "id": _STRING, "url": _STRING, "identifier": _STRING,
        "status": {"type": "string", "enum": ["pending", "done", "failed"]}, "error": _NULLABLE_STRING,
        "paper": {"oneOf": [_ref("Paper"), {"type": "null"}]},
    }),
    "Summary": _object(
        {**_SUMMARY_FIELDS, "share_token": {"type": "string", "description": "Only for the author."}},
        required=list(_SUMMARY_FIELDS),
    ),
    "SummaryList": _object({
        "paper": _ref("PaperBrief"), "url": _STRING, "summaries": {"type": "array", "items": _ref("Summary")},
    }),
    "Comment": _object({
        "id": _STRING, "url": _STRING, "summary": _STRING, "parent": _NULLABLE_STRING,
        "author": {"oneOf": [_ref("Actor"), {"type": "null"}]}, "source": _NULLABLE_STRING,
        "html": _NULLABLE_STRING, "deleted": _BOOL, "created_at": _TIME,
        "edited_at": {"type": ["string", "null"], "format": "date-time"},
    }),
    "CommentList": _object({"summary": _STRING, "comments": {"type": "array", "items": _ref("Comment")}}),
    "VoteResult": _object({
        "summary": _STRING, "vote": {"type": "integer", "enum": [1, -1]}, "score": _INT, "upvotes": _INT,
        "downvotes": _INT,
    }),
    "Profile": _object(_PROFILE_FIELDS),
    "Me": _object({**_PROFILE_FIELDS, "email": _STRING}),
    "SearchHit": _object({
        "kind": {"type": "string", "enum": ["paper", "summary"]}, "rank": {"type": "number"},
        "snippet_html": _STRING, "paper": _ref("PaperBrief"),
        "summary": {"oneOf": [_ref("Summary"), {"type": "null"}]},
    }),
    "SearchPage": _object({
        "query": _STRING, "total": _INT, "limit": _INT, "offset": _INT,
        "hits": {"type": "array", "items": _ref("SearchHit")},
    }),
    "PaperRequest": _object({"id": {"type": "string", "description": "arXiv id, DOI, DBLP key or URL."}}),
    "SummaryCreate": _object(
        {"source": {"type": "string", "description": "Markdown with $maths$."}, "draft": _BOOL, "private": _BOOL},
        required=["source"],
    ),
    "SummaryChange": _object({"source": _STRING, "draft": _BOOL, "private": _BOOL}, required=[]),
    "CommentCreate": _object(
        {"source": _STRING, "parent": {"type": ["string", "null"], "description": "The comment replied to."}},
        required=["source"],
    ),
    "CommentChange": _object({"source": _STRING}),
    "VoteRequest": _object({"value": {"type": "integer", "enum": [1, -1]}}),
}

_RESPONSES: Spec = {
    name: _json(_ref("Error"), description)
    for name, description in {
        "BadRequest": "Malformed JSON, unknown or wrongly typed fields, or invalid values.",
        "Unauthorized": "No token, or an unknown or revoked one (with WWW-Authenticate: Bearer).",
        "Forbidden": "The object belongs to someone else, or the action is not allowed on it.",
        "NotFound": "No such object, or not visible to the caller.",
        "Conflict": "The change conflicts with existing data.",
    }.items()
}


def openapi_document() -> Spec:
    """The OpenAPI document, with this instance's address as its server."""
    settings = current_app.extensions["fediscience.settings"]
    return {
        "openapi": "3.1.0",
        "info": {
            "title": f"{settings.site_name} API",
            "version": "1.0.0",
            "description": (
                "Read papers, summaries, comments and users; write summaries and comments; vote. Reads are open "
                "to anyone for public data; writes need a personal access token (Settings → API tokens, or "
                "`fediscience token create NAME --user USERNAME`) sent as `Authorization: Bearer <token>`. "
                'Errors are `{"error": {"status": N, "reason": "…"}}`.'
            ),
        },
        "servers": [{"url": settings.base_url + (bp.url_prefix or "")}],
        "paths": _PATHS,
        "components": {
            "schemas": _SCHEMAS,
            "responses": _RESPONSES,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }


@bp.get("/openapi.json")
def openapi() -> Response:
    """The OpenAPI document."""
    return jsonify(openapi_document())
