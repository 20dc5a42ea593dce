"""ActivityStreams documents: content negotiation on /u, /s, /c, /p, the instance actor, collections, our context.

Negotiation runs before the HTML views (a `before_app_request` hook), so they stay untouched: a GET whose Accept
asks for ActivityStreams JSON gets the JSON document (`id` = the URL, `application/activity+json`, `Vary: Accept`);
any other request goes on to the HTML view. Drafts and private summaries answer 404, deleted objects 410 with a
Tombstone, remote copies redirect to their origin.

In secure mode (FEDISCIENCE_AUTHORIZED_FETCH) the negotiation hook and this blueprint's `before_request` first
check the GET's signature (`secure_fetch.refusal`; the policy is in `federation.authorized_fetch`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, redirect, request
from sqlalchemy import select
from werkzeug.exceptions import NotFound
from werkzeug.wrappers import Response

from ..activitypub.mediatypes import ACTIVITY_JSON, wants_activity_json
from ..comments.models import Comment
from ..db import db
from ..federation import serialize
from ..federation.authorized_fetch import key_document
from ..federation.context import CONTEXT_MEDIA_TYPE
from ..federation.tombstones import find_tombstone
from ..federation.urls import base_url, comment_url, paper_url, summary_note_id
from ..papers.models import Paper
from ..summaries.models import Summary
from ..users.models import Actor
from . import secure_fetch

bp = Blueprint("activitypub", __name__)
NEGOTIATED = re.compile(r"/(u|s|c|p)/([a-z0-9]{1,16})")
ACTOR_KINDS = ("u", "p")  # negotiated URLs that are actors, hence key documents (see federation.authorized_fetch)
PUBLIC_ENDPOINTS = frozenset({"activitypub.instance_actor", "activitypub.context_document"})


class Gone(Exception):
    """The object was deleted: answer 410 with this Tombstone."""

    def __init__(self, document: dict[str, Any]) -> None:
        super().__init__(document["id"])
        self.document = document


def activity_json(doc: dict[str, Any], status: int = 200) -> Response:
    """A JSON-LD document as `application/activity+json`, varying on Accept."""
    response = Response(json.dumps(doc, ensure_ascii=False), status, mimetype=ACTIVITY_JSON)
    response.vary.add("Accept")
    return response


def _error(status: int, message: str) -> Response:
    response = Response(json.dumps({"error": message}), status, mimetype="application/json")
    response.vary.add("Accept")
    return response


def _ensure_keys(actor: Actor) -> None:
    if actor.public_key_pem and actor.private_key_pem:
        return
    from ..federation.keys import ensure_keys

    ensure_keys(actor)


def _instance_actor() -> Actor:
    from ..federation.instance_actor import instance_actor

    actor = instance_actor()
    _ensure_keys(actor)
    return actor


def _gone_or_missing(uri: str) -> None:
    tombstone = find_tombstone(uri)
    if tombstone is not None:
        raise Gone(serialize.tombstone(uri, tombstone.former_type, tombstone.deleted_at))
    abort(404)


# Objects of the negotiated URLs --------------------------------------------------------------------------------


def local_user(public_id: str) -> Actor:
    """A local user's actor (not the instance actor) by public id; 404 otherwise."""
    actor = db.session.scalar(select(Actor).where(Actor.public_id == public_id, Actor.local))
    if actor is None or actor.actor_type == "Application":
        abort(404)
    return actor


def public_summary(public_id: str) -> Summary:
    """One of our public summaries; 404 for drafts, private and unknown ones, 410 for deleted ones."""
    summary = db.session.scalar(select(Summary).where(Summary.public_id == public_id))
    if summary is None:
        _gone_or_missing(f"{base_url()}/s/{public_id}")
    if not summary.is_public:
        abort(404)
    return summary


def live_comment(public_id: str) -> Comment:
    """One of our comments on a public summary; 410 once deleted, 404 otherwise."""
    comment = db.session.scalar(select(Comment).where(Comment.public_id == public_id))
    if comment is None:
        _gone_or_missing(f"{base_url()}/c/{public_id}")
    if comment.is_deleted and comment.uri is None:
        uri = comment_url(comment)
        stored = find_tombstone(uri)
        raise Gone(serialize.tombstone(uri, "Note", stored.deleted_at if stored else comment.deleted_at))
    if not comment.summary.is_public:
        abort(404)
    return comment


def paper_by_id(public_id: str) -> Paper:
    """A paper by public id; 404 otherwise."""
    paper = db.session.scalar(select(Paper).where(Paper.public_id == public_id))
    if paper is None:
        abort(404)
    return paper


def _user_document(public_id: str) -> Response:
    actor = local_user(public_id)
    _ensure_keys(actor)
    db.session.commit()  # keys made on first fetch
    document = serialize.person(actor)
    return activity_json(key_document(document) if secure_fetch.anonymous() else document)


def _summary_document(public_id: str) -> Response:
    summary = public_summary(public_id)
    if summary.uri is not None:
        return redirect(summary.uri)
    return activity_json(serialize.summary_note(summary))


def _comment_document(public_id: str) -> Response:
    comment = live_comment(public_id)
    if comment.uri is not None:
        return redirect(comment.uri)
    return activity_json(serialize.comment_note(comment))


def _paper_document(public_id: str) -> Response:
    paper = paper_by_id(public_id)
    instance = _instance_actor()
    db.session.commit()
    document = serialize.paper_group(paper, instance)
    return activity_json(key_document(document) if secure_fetch.anonymous() else document)


DOCUMENTS: dict[str, Callable[[str], Response]] = {
    "u": _user_document, "s": _summary_document, "c": _comment_document, "p": _paper_document,
}


@bp.before_app_request
def negotiate() -> Response | None:
    """Answer ActivityStreams JSON for /u, /s, /c and /p when the Accept header asks for it; else go on."""
    if request.method not in ("GET", "HEAD") or not wants_activity_json(request.headers.get("Accept")):
        return None
    match = NEGOTIATED.fullmatch(request.path)
    if match is None:
        return None
    refused = secure_fetch.refusal(anonymous_ok=match.group(1) in ACTOR_KINDS)  # actors: key document if unsigned
    if refused is not None:
        return refused
    return _answer(lambda: DOCUMENTS[match.group(1)](match.group(2)))


@bp.before_request
def require_signature() -> Response | None:
    """Secure mode: this blueprint's collections need a verified signature (the instance actor and our context
    are public)."""
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    return secure_fetch.refusal()


@bp.after_app_request
def vary_on_accept(response: Response) -> Response:
    """The HTML of a negotiated URL varies on Accept too (caches must not hand it to a fediverse server)."""
    if NEGOTIATED.fullmatch(request.path):
        response.vary.add("Accept")
    return response


@bp.after_app_request
def private_in_secure_mode(response: Response) -> Response:
    """An answer that went through the secure-mode check is private and varies on the signature."""
    return secure_fetch.private_answer(response)


def _answer(build: Callable[[], Response]) -> Response:
    """Run a document builder, turning 404s, Gone and bad pages into JSON answers."""
    try:
        return build()
    except Gone as gone:
        return activity_json(gone.document, 410)
    except serialize.BadPage as exc:
        return _error(400, str(exc))
    except NotFound:  # abort(404) from the look-ups
        return _error(404, "not found")


# The instance actor, our context, and the collections -----------------------------------------------------------


@bp.route("/actor")
def instance_actor() -> Response:
    """The instance actor (an Application), always JSON and never behind a signature."""
    actor = _instance_actor()
    db.session.commit()
    response = activity_json(serialize.application(actor))
    response.cache_control.public, response.cache_control.max_age = True, 600
    return response


@bp.route("/ns/fediscience.jsonld")
def context_document() -> Response:
    """Our JSON-LD context (paper vocabulary), at the stable URL the documents name."""
    response = Response(json.dumps(serialize.context_document(), indent=2), mimetype=CONTEXT_MEDIA_TYPE)
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.cache_control.public, response.cache_control.max_age = True, 86400
    return response


def _collection(build: Callable[[int | None], dict[str, Any] | None]) -> Response:
    def run() -> Response:
        doc = build(serialize.page_number(request.args.get("page")))
        return activity_json(doc) if doc is not None else _error(404, "there is no such page")

    return _answer(run)


@bp.route("/actor/outbox")
def instance_outbox() -> Response:
    """The instance actor's (empty) outbox."""
    return _collection(serialize.instance_outbox)


@bp.route("/u/<public_id>/outbox")
def user_outbox(public_id: str) -> Response:
    """A user's outbox: Creates of their public summaries, newest first."""
    return _collection(lambda page: serialize.actor_outbox(local_user(public_id), page))


@bp.route("/u/<public_id>/followers")
def user_followers(public_id: str) -> Response:
    """A user's followers (accepted), as actor ids."""
    return _collection(lambda page: serialize.followers_collection(local_user(public_id), page))


@bp.route("/u/<public_id>/following")
def user_following(public_id: str) -> Response:
    """The accounts a user follows (accepted), as actor ids."""
    return _collection(lambda page: serialize.following_collection(local_user(public_id), page))


@bp.route("/p/<public_id>/outbox")
def paper_outbox(public_id: str) -> Response:
    """A paper Group's outbox: Announces of the public summaries about it."""
    return _collection(lambda page: serialize.paper_outbox(paper_by_id(public_id), page))


@bp.route("/p/<public_id>/followers")
def paper_followers(public_id: str) -> Response:
    """A paper Group's followers: none until papers can be followed."""
    from ..federation.collections import empty_collection

    return _collection(lambda page: empty_collection(f"{paper_url(paper_by_id(public_id))}/followers", page))


def _local_summary(public_id: str) -> Summary:
    summary = public_summary(public_id)
    if summary.uri is not None:
        abort(404)
    return summary


@bp.route("/s/<public_id>/v/<int:generation>")
def summary_generation(public_id: str, generation: int) -> Response:
    """A summary's Note after it was made private and published again (`urls.summary_note_id`): the Note while
    this is its current id, 410 with a Tombstone for an earlier one; a browser goes to the summary's page."""
    if not wants_activity_json(request.headers.get("Accept")):
        return redirect(f"{base_url()}/s/{public_id}")
    return _answer(lambda: _summary_generation_document(public_id, generation))


def _summary_generation_document(public_id: str, generation: int) -> Response:
    summary = public_summary(public_id)
    if summary.uri is not None or not 0 < generation <= summary.note_generation:
        abort(404)
    if generation < summary.note_generation:
        raise Gone(serialize.tombstone(summary_note_id(summary, generation), "Note", None))
    return activity_json(serialize.summary_note(summary))


@bp.route("/s/<public_id>/replies")
def summary_replies(public_id: str) -> Response:
    """A summary's direct replies (comment ids, local and remote)."""
    return _collection(lambda page: serialize.replies_collection(_local_summary(public_id), page))


@bp.route("/s/<public_id>/likes")
def summary_likes(public_id: str) -> Response:
    """A summary's likes (+1 votes)."""
    return _collection(lambda page: serialize.likes_collection(_local_summary(public_id), page))


@bp.route("/s/<public_id>/shares")
def summary_shares(public_id: str) -> Response:
    """A summary's shares (the Announces of its boosts)."""
    return _collection(lambda page: serialize.shares_collection(_local_summary(public_id), page))


def _local_comment(public_id: str) -> Comment:
    comment = live_comment(public_id)
    if comment.uri is not None:
        abort(404)
    return comment


@bp.route("/c/<public_id>/replies")
def comment_replies(public_id: str) -> Response:
    """A comment's direct replies (comment ids, local and remote)."""
    return _collection(lambda page: serialize.replies_collection(_local_comment(public_id), page))


@bp.route("/c/<public_id>/likes")
def comment_likes(public_id: str) -> Response:
    """A comment's likes: always empty (comments cannot be voted on)."""
    return _collection(lambda page: serialize.likes_collection(_local_comment(public_id), page))


@bp.route("/c/<public_id>/shares")
def comment_shares(public_id: str) -> Response:
    """A comment's shares: always empty (boosts of comments are not recorded)."""
    return _collection(lambda page: serialize.shares_collection(_local_comment(public_id), page))


@bp.app_template_global("activity_alternate")
def activity_alternate(target: Actor | Summary | Paper) -> str:
    """The ActivityStreams id of what a page shows, for its `<link rel="alternate">`."""
    if isinstance(target, Summary):
        return summary_note_id(target)
    if isinstance(target, Paper):
        return paper_url(target)
    from ..federation.urls import actor_url

    return actor_url(target)
