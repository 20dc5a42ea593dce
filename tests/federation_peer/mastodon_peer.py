"""A Mastodon-shaped peer: a real threaded HTTP server on 127.0.0.1 that behaves by Mastodon 4.4's rules (as
recorded, with their sources, in /work/shared/reference/mastodon-interop.md), plus the actions of its one user.

What it serves, as Mastodon does: WebFinger (acct:, bare and URL resources; application/jrd+json), host-meta, its
user's Person and the instance actor (an Application named after the domain, fetchable without a signature),
statuses, their Create activities and the followers/following/outbox collections, all as
`application/activity+json`. It runs in AUTHORIZED_FETCH ("secure mode"): everything but the instance actor and
WebFinger needs a valid signed GET (401 otherwise).

What it checks on every request it receives (mastodon_signatures): `Signature` parameters, rsa-sha256/hs2019,
the Date window (no older than 65 min, at most 60 min ahead, IMF-fixdate), `(request-target)`, `host` on GET,
`digest` on POST with the body's SHA-256, the RSA signature against the signer's key (unknown signers are fetched
and must pass the WebFinger reverse check; a failed check refreshes the key once), and that the signer is the
activity's `actor`. A refresh that finds a different key makes mara follow that account again (after_key_change!);
an actor's Update signed with the known key replaces the key without that. Inbox POSTs answer 202 and are processed
in order on a background thread (mastodon_inbox); a refused one answers 401 `{"error": …}` as Mastodon does.

Every broken rule lands in `peer.state.problems`; tests assert that list stays empty.
"""

from __future__ import annotations

import json
import queue
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TypeVar
from urllib.parse import parse_qs, unquote, urlsplit

import httpx
from cryptography.hazmat.primitives.asymmetric import rsa

from . import mastodon_shapes as shapes
from .mastodon_client import MastodonClient, PeerError, valid_activitypub_content_type
from .mastodon_inbox import InboxProcessor
from .mastodon_model import (
    ACTIVITY_JSON,
    AS_CONTEXT,
    LocalAccount,
    PeerState,
    Received,
    RemoteAccount,
    Served,
    snowflake,
    value_or_id,
)
from .mastodon_signatures import (
    POST_HEADERS_42,
    HttpRequest,
    SignatureError,
    check_request,
    parse_signature,
    verify,
)

T = TypeVar("T")
SECURITY_CONTEXT = "https://w3id.org/security/v1"
ACTOR_CONTEXT = [AS_CONTEXT, SECURITY_CONTEXT, {
    "manuallyApprovesFollowers": "as:manuallyApprovesFollowers", "toot": "http://joinmastodon.org/ns#",
    "discoverable": "toot:discoverable",
    "indexable": "toot:indexable", "memorial": "toot:memorial",
}]
INBOX_PATHS = ("/inbox", "/actor/inbox")


class MastodonPeer:
    """The peer: its server, its state, its user `mara` (by default) and its instance actor."""

    def __init__(self, username: str = "mara", display_name: str = "Mara Mastodon", *, key_size: int = 2048) -> None:
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.host = f"127.0.0.1:{self.port}"
        self.base = f"http://{self.host}"
        self.state = PeerState()
        key = rsa.generate_private_key(public_exponent=65537, key_size=key_size)
        instance_key = rsa.generate_private_key(public_exponent=65537, key_size=key_size)
        self.user = LocalAccount(username, f"{self.base}/users/{username}", self.base, key, display_name)
        self.instance = LocalAccount(self.host, f"{self.base}/actor", self.base, instance_key, self.host)
        self.client = MastodonClient(self)
        self.processor = InboxProcessor(self)
        self._jobs: queue.Queue[tuple[Received, RemoteAccount] | None] = queue.Queue()
        self._threads: list[threading.Thread] = []
        self._likes = 0

    # Lifecycle ----------------------------------------------------------------------------------------------------

    def start(self) -> "MastodonPeer":
        """Serve (and process the inbox) on background threads."""
        for target in (self.httpd.serve_forever, self._work):
            thread = threading.Thread(target=target, daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> None:
        """Stop serving and processing."""
        self._jobs.put(None)
        self.httpd.shutdown()
        self.httpd.server_close()
        self.client.close()
        for thread in self._threads:
            thread.join(5)

    def enqueue(self, received: Received, signer: RemoteAccount) -> None:
        """Queue a verified POST for processing (Mastodon's ProcessingWorker), after the 202."""
        self._jobs.put((received, signer))

    def _work(self) -> None:
        while (job := self._jobs.get()) is not None:
            received, signer = job
            try:
                received.outcome = self.processor.process(received, signer)
            except Exception as exc:  # noqa: BLE001 - a peer bug must show in the test, not kill the thread
                received.outcome = f"crashed: {exc!r}"
                self.state.problem("peer crashed", received.path, repr(exc))

    def wait_for(self, what: str, probe: Callable[[], T | None], deadline: float = 30.0) -> T:
        """Poll `probe` until it returns something truthy; AssertionError after `deadline` seconds."""
        end = time.monotonic() + deadline
        while True:
            result = probe()
            if result:
                return result
            if time.monotonic() > end:
                problems = "\n".join(str(p) for p in self.state.problems) or "none"
                raise AssertionError(f"the peer waited {deadline:.0f} s for {what}; problems seen: {problems}")
            time.sleep(0.05)

    # What mara does -------------------------------------------------------------------------------------------------

    def follow(self, acct: str) -> tuple[dict[str, Any], httpx.Response, RemoteAccount]:
        """Resolve `@user@host` (WebFinger, signed actor fetch, reverse check) and send a Follow to its inbox."""
        account = self.client.resolve_account(acct)
        activity = shapes.follow(self.user, account.uri)
        with self.state.lock:
            self.state.follows[activity["id"]] = {"id": activity["id"], "actor": self.user.uri,
                                                  "target": account.uri, "state": "requested", "activity": activity}
        return activity, self.client.deliver(account.inbox, activity, self.user), account

    def after_key_change(self, account: RemoteAccount) -> None:
        """ProcessAccountService#after_key_change! → RefollowWorker (asynchronous): every local follow of the account
        is removed locally (`unfollow!`, no Undo sent) and requested again by FollowService: a new Follow, pending
        until the account Accepts it again."""
        with self.state.lock:
            self.state.refollows.append(account.uri)
            dropped = [f for f in self.state.follows.values()
                       if f["actor"] == self.user.uri and f["target"] == account.uri and f["state"] == "accepted"]
            for follow in dropped:
                follow["state"] = "unfollowed"

        def refollow() -> None:
            for _ in dropped:
                activity = shapes.follow(self.user, account.uri)
                with self.state.lock:
                    self.state.follows[activity["id"]] = {"id": activity["id"], "actor": self.user.uri,
                                                          "target": account.uri, "state": "requested",
                                                          "activity": activity}
                self.client.deliver(account.inbox, activity, self.user)

        threading.Thread(target=refollow, daemon=True).start()

    def mention_of(self, account: RemoteAccount) -> dict[str, str]:
        """How a reply mentions an account: its id, profile URL, username and `@user@domain`."""
        return {"href": account.uri, "url": account.url or account.uri, "username": account.username,
                "name": f"@{account.username}@{account.domain}"}

    def reply(self, in_reply_to: str, text: str,
              mentioned: list[RemoteAccount]) -> tuple[dict[str, Any], httpx.Response]:
        """Post a public reply and deliver its Create to the mentioned accounts' (shared) inboxes."""
        note = shapes.reply_note(self.user, snowflake(), in_reply_to=in_reply_to, text=text,
                                 mentions=[self.mention_of(a) for a in mentioned])
        with self.state.lock:
            self.state.own_statuses[note["id"]] = note
        return note, self._deliver_to(mentioned, shapes.create(self.user, note))

    def edit(self, note: dict[str, Any], text: str, mentioned: list[RemoteAccount],
             updated: datetime | None = None) -> tuple[dict[str, Any], httpx.Response]:
        """Edit a reply: the same Note with new content and a newer `updated` (or the one given), as an Update."""
        published = datetime.strptime(note["published"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
        when = updated or max(datetime.now(timezone.utc), published + timedelta(seconds=1))
        fresh = shapes.reply_note(self.user, note["id"].rsplit("/", 1)[1], in_reply_to=note["inReplyTo"], text=text,
                                  mentions=[self.mention_of(a) for a in mentioned], published=published, updated=when)
        if updated is None:
            with self.state.lock:
                self.state.own_statuses[note["id"]] = fresh
        return fresh, self._deliver_to(mentioned, shapes.update(self.user, fresh))

    def delete(self, note: dict[str, Any], mentioned: list[RemoteAccount]) -> httpx.Response:
        """Delete a reply (Delete{Tombstone}); its URL answers 404 from now on."""
        with self.state.lock:
            self.state.own_statuses.pop(note["id"], None)
        return self._deliver_to(mentioned, shapes.delete(self.user, note["id"]))

    def like(self, target: str, author: RemoteAccount,
             order: tuple[str, ...] = POST_HEADERS_42) -> tuple[dict[str, Any], httpx.Response]:
        """Favourite a status: Like to its author's own inbox (signed headers in `order`)."""
        self._likes += 1
        activity = shapes.like(self.user, self._likes, target)
        return activity, self.client.deliver(author.inbox, activity, self.user, order)

    def unlike(self, like: dict[str, Any], author: RemoteAccount) -> tuple[dict[str, Any], httpx.Response]:
        """Undo a favourite (the Like embedded), to the author's own inbox."""
        activity = shapes.undo(self.user, like, f"{like['id']}/undo")
        return activity, self.client.deliver(author.inbox, activity, self.user)

    def boost(self, target: str, author: RemoteAccount) -> tuple[dict[str, Any], httpx.Response]:
        """Boost a status: Announce to the author's shared inbox."""
        activity = shapes.announce(self.user, snowflake(), target, author.uri)
        return activity, self.client.deliver(author.preferred_inbox, activity, self.user)

    def unboost(self, announce: dict[str, Any], author: RemoteAccount) -> tuple[dict[str, Any], httpx.Response]:
        """Undo a boost (the Announce embedded)."""
        number = announce["id"].rsplit("/statuses/", 1)[1].split("/", 1)[0]
        activity = shapes.undo(self.user, announce, f"{self.user.uri}#announces/{number}/undo")
        return activity, self.client.deliver(author.preferred_inbox, activity, self.user)

    def report(self, account: RemoteAccount, statuses: list[str],
               comment: str) -> tuple[dict[str, Any], httpx.Response]:
        """Report an account and some of its statuses: a Flag from the instance actor to the account's inbox."""
        activity = shapes.flag(self.instance, [account.uri, *statuses], comment)
        return activity, self.client.deliver(account.inbox, activity, self.instance)

    def _deliver_to(self, accounts: list[RemoteAccount], activity: dict[str, Any]) -> httpx.Response:
        inboxes = list(dict.fromkeys(account.preferred_inbox for account in accounts))
        assert len(inboxes) == 1, f"these tests address one server at a time, not {inboxes}"
        return self.client.deliver(inboxes[0], activity, self.user)

    def unknown_actor_deletes_itself(self, activity: Any) -> bool:
        """A Delete of an account by itself that we never knew (InboxesController#unknown_affected_account?)."""
        if not isinstance(activity, dict) or activity.get("type") != "Delete":
            return False
        actor = value_or_id(activity.get("actor"))
        with self.state.lock:
            return actor == value_or_id(activity.get("object")) and actor not in self.state.accounts

    # Verification of what we receive -----------------------------------------------------------------------------

    def signed_request_actor(self, request: HttpRequest) -> RemoteAccount:
        """SignatureVerification#signed_request_actor: the verified signer, or SignatureError."""
        raw = request.header("Signature")
        if not raw:
            raise SignatureError("Request not signed")
        params = parse_signature(raw)
        try:
            account = self.client.account_from_key_id(params.key_id)
        except PeerError as exc:
            raise SignatureError(f"Public key not found for key {params.key_id}: {exc}") from None
        if account is None or account.public_key is None:
            raise SignatureError(f"Public key not found for key {params.key_id}")
        check_request(request)
        if verify(request, params, account.public_key):
            return account
        refreshed = self.client.refresh_key(account)
        if refreshed is None or refreshed.public_key is None:
            raise SignatureError(f"Could not refresh public key {params.key_id}")
        if verify(request, params, refreshed.public_key):
            return refreshed
        raise SignatureError(f"Verification failed for {refreshed.acct} {refreshed.uri}")

    # Documents ------------------------------------------------------------------------------------------------------

    def person(self) -> dict[str, Any]:
        """The user's actor document (ActorSerializer)."""
        user = self.user
        return {
            "@context": ACTOR_CONTEXT, "id": user.uri, "type": "Person", "following": f"{user.uri}/following",
            "followers": user.followers, "inbox": user.inbox, "outbox": f"{user.uri}/outbox",
            "preferredUsername": user.username,
            "name": user.display_name, "summary": "<p>Reads paper summaries.</p>", "url": user.url,
            "manuallyApprovesFollowers": False, "discoverable": True, "indexable": True,
            "published": "2024-01-01T00:00:00Z", "memorial": False,
            "publicKey": {"id": user.key_id, "owner": user.uri, "publicKeyPem": user.public_pem},
            "tag": [], "attachment": [], "endpoints": {"sharedInbox": f"{self.base}/inbox"},
        }

    def application(self) -> dict[str, Any]:
        """The instance actor (InstanceActorSerializer): an Application named after the domain."""
        actor = self.instance
        return {
            "@context": ACTOR_CONTEXT, "id": actor.uri, "type": "Application", "inbox": actor.inbox,
            "outbox": f"{actor.uri}/outbox", "preferredUsername": self.host,
            "url": f"{self.base}/about/more?instance_actor=true", "manuallyApprovesFollowers": True,
            "publicKey": {"id": actor.key_id, "owner": actor.uri, "publicKeyPem": actor.public_pem},
            "endpoints": {"sharedInbox": f"{self.base}/inbox"},
        }

    def webfinger_for(self, resource: str) -> dict[str, Any] | None:
        """The JRD for `acct:`, bare or URL resources of the user and the instance actor (case-insensitive)."""
        wanted = resource.strip().lower().removeprefix("acct:")
        for account, doc_url in ((self.user, self.user.uri), (self.instance, self.instance.uri)):
            names = {f"{account.username}@{self.host}".lower(), doc_url.lower(), account.url.lower()}
            if wanted in names:
                return {"subject": f"acct:{account.username}@{self.host}", "aliases": [account.url, doc_url],
                        "links": [{"rel": "http://webfinger.net/rel/profile-page", "type": "text/html",
                                   "href": account.url},
                                  {"rel": "self", "type": ACTIVITY_JSON, "href": doc_url}]}
        return None

    def collection(self, uri: str, items: list[str]) -> dict[str, Any]:
        """An OrderedCollection with its first page inline-linked."""
        return {"@context": AS_CONTEXT, "id": uri, "type": "OrderedCollection", "totalItems": len(items),
                "first": f"{uri}?page=1"}

    def signed_document(self, path: str) -> dict[str, Any] | None:
        """The documents behind a signature (secure mode): the user, its statuses and collections."""
        user = self.user
        prefix = urlsplit(user.uri).path
        with self.state.lock:
            statuses = dict(self.state.own_statuses)
            following = [f["target"] for f in self.state.follows.values() if f["state"] == "accepted"]
        if path == prefix:
            return self.person()
        if path in (f"{prefix}/followers", f"{prefix}/following", f"{prefix}/outbox"):
            return self.collection(f"{self.base}{path}", following if path.endswith("following") else [])
        if path.startswith(f"{prefix}/statuses/"):
            uri = f"{self.base}{path.removesuffix('/activity')}"
            note = statuses.get(uri)
            if note is None:
                return None
            if path.endswith("/activity"):
                return shapes.create(user, note)
            return {"@context": shapes.STATUS_CONTEXT, **note}
        return None

    def status_page(self, path: str) -> str | None:
        """The HTML page of the profile or a status (`/@user`, `/@user/<id>`), with its alternate link."""
        if not path.startswith(f"/@{self.user.username}"):
            return None
        rest = path.removeprefix(f"/@{self.user.username}").strip("/")
        uri = self.user.uri if not rest else f"{self.user.uri}/statuses/{rest}"
        with self.state.lock:
            note = self.state.own_statuses.get(uri) if rest else {"content": f"<p>{self.user.display_name}</p>"}
        if note is None:
            return None
        return (f'<!DOCTYPE html><html><head><link rel="alternate" type="application/activity+json" href="{uri}">'
                f"</head><body>{note['content']}</body></html>")


# The HTTP side -------------------------------------------------------------------------------------------------


def _handler(peer: MastodonPeer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
            parts = urlsplit(self.path)
            path = unquote(parts.path)
            if path == "/.well-known/webfinger":
                resource = (parse_qs(parts.query).get("resource") or [""])[0]
                jrd = peer.webfinger_for(resource) if resource else None
                if jrd is None:
                    self._json(404 if resource else 400, {"error": "not found"}, "application/json")
                else:
                    self._json(200, jrd, "application/jrd+json; charset=utf-8")
            elif path == "/.well-known/host-meta":
                xrd = ('<?xml version="1.0" encoding="UTF-8"?><XRD xmlns="http://docs.oasis-open.org/ns/xri/xrd-1.0">'
                       f'<Link rel="lrdd" template="{peer.base}/.well-known/webfinger?resource={{uri}}"/></XRD>')
                self._send(200, xrd.encode(), "application/xrd+xml; charset=utf-8")
            elif path == "/actor":
                self._json(200, peer.application(), f"{ACTIVITY_JSON}; charset=utf-8")
            elif path == "/actor/outbox":
                self._json(200, peer.collection(f"{peer.base}/actor/outbox", []), f"{ACTIVITY_JSON}; charset=utf-8")
            elif path.startswith("/@"):
                page = peer.status_page(path)
                self._send(200 if page else 404, (page or "Not found").encode(), "text/html; charset=utf-8")
            else:
                self._signed_get(path)

        def _signed_get(self, path: str) -> None:
            document = peer.signed_document(path)
            if document is None:
                self._json(404, {"error": "Record not found"}, "application/json")
                return
            request = HttpRequest("GET", self.path, dict(self.headers.items()))
            try:
                signer = peer.signed_request_actor(request)
            except SignatureError as exc:
                peer.state.problem("signed fetch", f"GET {self.path}", str(exc))
                self._record_get(path, None, 401, str(exc))
                self._json(401, {"error": str(exc)}, "application/json")
                return
            self._record_get(path, signer.uri, 200, None)
            self._json(200, document, f"{ACTIVITY_JSON}; charset=utf-8")

        def _record_get(self, path: str, signer: str | None, status: int, error: str | None) -> None:
            raw = self.headers.get("Signature")
            headers = parse_signature(raw).values.get("headers") if raw else None
            with peer.state.lock:
                peer.state.served.append(Served(path, signer, status, error, headers))

        def do_POST(self) -> None:  # noqa: N802
            path = urlsplit(self.path).path
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if path not in INBOX_PATHS and path != peer.user.inbox.removeprefix(peer.base):
                self._json(404, {"error": "Record not found"}, "application/json")
                return
            received = Received(path, dict(self.headers.items()), body, 202)
            with peer.state.lock:
                peer.state.received.append(received)
            try:
                received.activity = json.loads(body)
            except ValueError:
                received.activity = None
            self._accept(received)

        def _accept(self, received: Received) -> None:
            if peer.unknown_actor_deletes_itself(received.activity):
                received.outcome = "dropped: unknown actor deleted"  # inboxes_controller: 202, no verification
                self._send(202, b"", "text/plain")
                return
            content_type = received.headers.get("Content-Type") or received.headers.get("content-type") or ""
            if not valid_activitypub_content_type(content_type):
                peer.state.problem("POST content type", received.path, f"{content_type!r} (GoToSocial refuses it)")
            request = HttpRequest("POST", self.path, received.headers, received.body)
            try:
                signer = peer.signed_request_actor(request)
            except SignatureError as exc:
                received.status, received.error, received.outcome = 401, str(exc), "refused"
                peer.state.problem("inbox signature", received.path, str(exc))
                self._json(401, {"error": str(exc)}, "application/json")
                return
            received.signer = signer.uri
            received.key_id = parse_signature(request.header("Signature") or "").key_id
            peer.enqueue(received, signer)
            self._send(202, b"", "text/plain")

        def _json(self, status: int, doc: Any, content_type: str) -> None:
            self._send(status, json.dumps(doc).encode(), content_type)

        def _send(self, status: int, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Vary", "Accept, Accept-Encoding")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass

    return Handler
