"""The peer's outgoing requests, by Mastodon's rules: signed fetches (app/helpers/json_ld_helper.rb), WebFinger
(app/lib/webfinger.rb), account resolution with the reverse check (resolve_account_service.rb,
activitypub/fetch_remote_actor_service.rb, fetch_remote_key_service.rb, process_account_service.rb), collection
walks, and signed deliveries (app/lib/request.rb).

Two deliberate departures, both because every server of these tests is on 127.0.0.1: the peer speaks http (Mastodon
always uses https for WebFinger and refuses private addresses), and it compares and names domains as host:port
where Mastodon uses the bare host (`normalized_host`), since only the port tells the servers apart.
"""

from __future__ import annotations

import json
import re
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urljoin, urlsplit
from xml.etree import ElementTree

import httpx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from .mastodon_model import (
    ACTIVITY_JSON,
    AS_CONTEXT,
    Fetched,
    LocalAccount,
    RemoteAccount,
    Sent,
    as_array,
    netloc,
    value_or_id,
)
from .mastodon_signatures import GET_HEADERS_42, POST_HEADERS_42, sign_request

if TYPE_CHECKING:
    from .mastodon_peer import MastodonPeer

ACCEPT_AP = "application/activity+json, application/ld+json"
ACCEPT_SEARCH = ('application/activity+json, application/ld+json; profile="https://www.w3.org/ns/activitystreams", '
                 "text/html;q=0.1")
ACCEPT_JRD = "application/jrd+json, application/json"
ACCEPT_XRD = "application/xrd+xml, application/xml, text/xml"
SUPPORTED_ACTOR_TYPES = ("Application", "Group", "Organization", "Person", "Service")
SELF_TYPES = ("application/activity+json", 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"')
USERNAME = re.compile(r"\A[a-z0-9_]+([.-]+[a-z0-9_]+)*\Z", re.I)
BODY_LIMIT = 1024 * 1024  # body_with_limit(1.megabyte)
MAX_HOPS = 3
STALE_AFTER = 24 * 3600  # Account#possibly_stale?: last WebFinger more than a day ago
_ALTERNATE = re.compile(r'<link[^>]+rel="alternate"[^>]+type="application/activity\+json"[^>]+href="([^"]+)"')
XRD_NS = "http://docs.oasis-open.org/ns/xri/xrd-1.0"


class PeerError(Exception):
    """Mastodon would give up here (the message says why)."""


class MastodonClient:
    """The requests a Mastodon server makes, recording each fetch and each broken rule on the peer."""

    def __init__(self, peer: "MastodonPeer") -> None:
        self.peer = peer
        self.http = httpx.Client(timeout=httpx.Timeout(10.0, connect=5.0), follow_redirects=False,
                                 headers={"User-Agent": "http.rb/5.1.1 (Mastodon/4.4.0; +" + peer.base + "/)"})

    def close(self) -> None:
        """Close the connection pool."""
        self.http.close()

    # GET ------------------------------------------------------------------------------------------------------

    def get(self, url: str, accept: str, signer: LocalAccount | None) -> httpx.Response:
        """A GET (signed by `signer`, as Mastodon signs all its fetches) following up to 3 redirects with the same
        headers, as http.rb does; the final response."""
        headers = {"Accept": accept}
        if signer is not None:
            headers = sign_request("GET", url, key_id=signer.key_id, private_key=signer.key, headers=headers,
                                   order=GET_HEADERS_42)
        current = url
        for _ in range(MAX_HOPS + 1):
            response = self.http.get(current, headers={**headers, "Host": netloc(current)})
            if response.status_code in (301, 302, 303, 307, 308) and "location" in response.headers:
                current = urljoin(current, response.headers["location"])
                continue
            break
        with self.peer.state.lock:
            self.peer.state.fetched.append(Fetched(url, response.status_code,
                                                   response.headers.get("content-type", ""), current))
        return response

    def fetch_resource_without_id_validation(self, uri: str, *, expect_missing: bool = False) -> dict[str, Any] | None:
        """JSON of a signed fetch: 200 only, an ActivityStreams content type, at most 1 MB; None otherwise."""
        response = self.get(uri, ACCEPT_AP, self.peer.instance)
        if response.status_code != 200:
            if not expect_missing:
                self.peer.state.problem("fetch status", uri, f"HTTP {response.status_code}: {response.text[:300]}")
            return None
        if not valid_activitypub_content_type(response.headers.get("content-type", "")):
            self.peer.state.problem("content type", uri,
                                    f"{response.headers.get('content-type')!r} is not an ActivityPub content type "
                                    "(Mastodon ignores the document since 4.2.7)")
            return None
        if len(response.content) > BODY_LIMIT:
            self.peer.state.problem("body limit", uri, f"{len(response.content)} bytes > 1 MB")
            return None
        try:
            doc = json.loads(response.content)
        except ValueError:
            self.peer.state.problem("json", uri, "the body is not JSON")
            return None
        return doc if isinstance(doc, dict) else None

    def fetch_resource(self, uri: str, id_is_known: bool, *, expect_missing: bool = False) -> dict[str, Any] | None:
        """Mastodon's `fetch_resource`: the fetched `id` must equal the URI; an unknown id is learnt from a first
        fetch (redirects followed) and the document fetched again by it."""
        if not id_is_known:
            doc = self.fetch_resource_without_id_validation(uri, expect_missing=expect_missing)
            if doc is None or not _is_http(doc.get("id")):
                return None
            uri = doc["id"]
        doc = self.fetch_resource_without_id_validation(uri, expect_missing=expect_missing)
        if doc is not None and doc.get("id") != uri:
            self.peer.state.problem("id equality", uri, f"the fetched document's id is {doc.get('id')!r}")
            return None
        return doc

    def resolve_url(self, url: str) -> dict[str, Any] | None:
        """FetchResourceService (a URL pasted into search): ActivityStreams JSON, or an HTML page's
        `<link rel="alternate" type="application/activity+json">` followed; the document must carry its own URL as
        `id` (FetchRemoteStatusService / FetchRemoteActorService compare it)."""
        response = self.get(url, ACCEPT_SEARCH, self.peer.instance)
        if response.status_code != 200:
            self.peer.state.problem("search", url, f"HTTP {response.status_code}")
            return None
        content_type = response.headers.get("content-type", "")
        if valid_activitypub_content_type(content_type):
            doc = json.loads(response.content)
            return self.fetch_resource(doc["id"], True) if doc.get("id") != url else doc
        if content_type.split(";")[0].strip() == "text/html":
            match = _ALTERNATE.search(response.text)
            if match is None:
                self.peer.state.problem("search", url, "an HTML page without an ActivityPub alternate link")
                return None
            return self.fetch_resource(urljoin(url, match.group(1)), False)
        self.peer.state.problem("search", url, f"answered {content_type!r}")
        return None

    # WebFinger ------------------------------------------------------------------------------------------------

    def webfinger(self, acct: str) -> dict[str, Any]:
        """WebFinger `acct:user@domain` (host-meta after a 404); the JRD with a valid subject and self link."""
        uri = acct if acct.startswith("acct:") else f"acct:{acct}"
        domain = uri.split("@")[-1]
        response = self.get(f"http://{domain}/.well-known/webfinger?resource={quote(uri, safe=':@')}",
                            ACCEPT_JRD, None)
        if response.status_code == 404:
            response = self._webfinger_via_host_meta(uri, domain)
        if response.status_code == 410:
            raise PeerError(f"{uri} is gone from the server")
        if response.status_code != 200 or not response.content:
            raise PeerError(f"Request for {uri} returned HTTP {response.status_code}")
        try:
            jrd = json.loads(response.content)
        except ValueError:
            raise PeerError(f"Invalid JSON in response for {uri}") from None
        if not isinstance(jrd, dict) or not jrd.get("subject"):
            raise PeerError(f"Missing subject in response for {uri}")
        if self_link(jrd) is None:
            raise PeerError(f"Missing self link in response for {uri}")
        return jrd

    def _webfinger_via_host_meta(self, uri: str, domain: str) -> httpx.Response:
        meta = self.get(f"http://{domain}/.well-known/host-meta", ACCEPT_XRD, None)
        if meta.status_code != 200:
            raise PeerError(f"Request for {uri} returned HTTP {meta.status_code}")
        link = ElementTree.fromstring(meta.content).find(f".//{{{XRD_NS}}}Link[@rel='lrdd']")
        if link is None or not link.get("template"):
            raise PeerError(f"Request for {uri} returned host-meta without link to Webfinger")
        return self.get(link.get("template", "").replace("{uri}", quote(uri, safe=":@")), ACCEPT_JRD, None)

    # Accounts -------------------------------------------------------------------------------------------------

    def resolve_account(self, acct: str) -> RemoteAccount:
        """ResolveAccountService: WebFinger the handle (once more if the subject differs), then fetch the `self`
        actor, which must pass the reverse WebFinger check."""
        acct = acct.removeprefix("acct:").lstrip("@")
        jrd = self.webfinger(acct)
        subject = jrd["subject"].removeprefix("acct:")
        if subject.lower() != acct.lower():
            jrd = self.webfinger(subject)
            if jrd["subject"].removeprefix("acct:").lower() != subject.lower():
                raise PeerError(f"Too many webfinger redirects for {acct}")
        href = self_link(jrd)
        assert href is not None
        return self.fetch_remote_actor(href)

    def fetch_remote_actor(self, uri: str, *, prefetched: dict[str, Any] | None = None,
                           only_key: bool = False, signed_with_known_key: bool = False) -> RemoteAccount:
        """FetchRemoteActorService (+ ProcessAccountService): the actor document's checks, the reverse WebFinger
        check (unless only_key), then the account as stored (`signed_with_known_key`: see process_account)."""
        doc = prefetched if prefetched is not None else self.fetch_resource(uri, True)
        if doc is None:
            raise PeerError(f"Error fetching actor JSON at {uri}")
        if not supported_context(doc):
            self.peer.state.problem("@context", uri, "the actor's @context does not include the AS2 URL")
            raise PeerError(f"Unsupported JSON-LD context for document {uri}")
        if not _equals_or_includes_any(doc.get("type"), SUPPORTED_ACTOR_TYPES):
            raise PeerError(f"Unexpected object type for actor {uri} (expected any of: {SUPPORTED_ACTOR_TYPES})")
        username = doc.get("preferredUsername")
        if not username:
            self.peer.state.problem("preferredUsername", uri, "the actor has no preferredUsername")
            raise PeerError(f"Actor {uri} has neither 'preferredUsername' nor `webfinger`")
        domain = netloc(doc["id"])
        claimed = doc.get("webfinger")  # FEP-2c59: Mastodon 4.5+ prefers it to preferredUsername
        if isinstance(claimed, str) and claimed.lower() != f"{username}@{domain}".lower():
            self.peer.state.problem("webfinger property", uri, f"{claimed!r} is not {username}@{domain}")
        if not only_key:
            self.check_webfinger(username, domain, doc["id"])
        return self.process_account(doc, username, domain, webfingered=not only_key,
                                    signed_with_known_key=signed_with_known_key)

    def check_webfinger(self, username: str, domain: str, uri: str) -> None:
        """The reverse check: WebFinger `acct:<preferredUsername>@<host of the actor id>` must point back at the id
        (and a differing subject must be self-consistent)."""
        try:
            jrd = self.webfinger(f"{username}@{domain}")
        except PeerError as exc:
            self.peer.state.problem("webfinger reverse check", uri, f"{username}@{domain}: {exc}")
            raise
        confirmed = jrd["subject"].removeprefix("acct:")
        if confirmed.lower() != f"{username}@{domain}".lower():
            jrd = self.webfinger(confirmed)
            if jrd["subject"].removeprefix("acct:").lower() != confirmed.lower():
                raise PeerError(f"Too many webfinger redirects for URI {uri}")
        if self_link(jrd) != uri:
            self.peer.state.problem("webfinger reverse check", uri,
                                    f"WebFinger for {confirmed} points to {self_link(jrd)!r}, not back to {uri}")
            raise PeerError(f"Webfinger response for {confirmed} does not loop back to {uri}")

    def process_account(self, doc: dict[str, Any], username: str, domain: str, *, webfingered: bool,
                        signed_with_known_key: bool = False) -> RemoteAccount:
        """ProcessAccountService: inbox required, protocol fields read, the first publicKey's PEM kept; stored.
        A stored key replaced by a different PEM calls `after_key_change!` (the refollow) unless the document came
        in an actor Update signed with the known key (update.rb passes `signed_with_known_key: true`)."""
        uri = doc["id"]
        # An instance actor is named after its domain; judge that name without the test's port.
        checked = username.rsplit(":", 1)[0] if username.lower() == domain else username
        if not USERNAME.match(checked):
            self.peer.state.problem("username", uri, f"{username!r} is not a valid Mastodon username")
        inbox = value_or_id(doc.get("inbox"))
        if not _is_http(inbox):
            self.peer.state.problem("inbox", uri, "the actor has no inbox")
            raise PeerError(f"{uri} has no inbox")
        endpoints = doc.get("endpoints") if isinstance(doc.get("endpoints"), dict) else {}
        url = value_or_id(as_array(doc.get("url"))[0]) if doc.get("url") else None
        public_key, key_id, pem = self._public_key(doc)
        account = RemoteAccount(
            uri=uri, username=username, domain=domain, inbox=inbox,
            shared_inbox=value_or_id(endpoints.get("sharedInbox")) or value_or_id(doc.get("sharedInbox")),
            followers=value_or_id(as_array(doc.get("followers"))[0]) if doc.get("followers") else None,
            url=url if isinstance(url, str) and netloc(url) == netloc(uri) else None,  # mismatching_origin?
            key_id=key_id, public_key=public_key, document=doc,
            webfingered_at=time.time() if webfingered else 0.0, public_key_pem=pem,
        )
        if webfingered:
            self._collection_info(doc)
        with self.peer.state.lock:
            known = self.peer.state.accounts.get(uri)
            if known is not None and not webfingered:
                account.webfingered_at = known.webfingered_at
            self.peer.state.accounts[uri] = account
        # key_changed?: `!@old_public_key.nil? && @old_public_key != @account.public_key` (the PEM text).
        key_changed = known is not None and known.public_key_pem is not None and known.public_key_pem != (pem or "")
        if key_changed and not signed_with_known_key:
            self.peer.after_key_change(account)
        return account

    def _collection_info(self, doc: dict[str, Any]) -> None:
        """set_fetchable_attributes! → collection_info: outbox, following and followers are fetched for their
        `totalItems`; one without `first` shows as private (the reference's checklist asks for both)."""
        for name in ("outbox", "following", "followers"):
            url = value_or_id(doc.get(name))
            if not isinstance(url, str):
                continue
            found = self.fetch_resource_without_id_validation(url)
            if found is not None and (not isinstance(found.get("totalItems"), int) or not found.get("first")):
                self.peer.state.problem("collection", url, "no numeric totalItems or no first page: Mastodon shows "
                                        "the count as unknown or the collection as private")

    def _public_key(self, doc: dict[str, Any]) -> tuple[rsa.RSAPublicKey | None, str | None, str | None]:
        key = as_array(doc.get("publicKey"))[0] if doc.get("publicKey") else None
        if isinstance(key, str):
            key = self.fetch_resource(key, True)
        if not isinstance(key, dict) or not isinstance(key.get("publicKeyPem"), str):
            self.peer.state.problem("publicKey", doc["id"], "the actor has no usable publicKey")
            return None, None, None
        loaded = serialization.load_pem_public_key(key["publicKeyPem"].encode())
        if not isinstance(loaded, rsa.RSAPublicKey):
            self.peer.state.problem("publicKey", doc["id"], "the key is not RSA")
            return None, None, None
        return loaded, key.get("id"), key["publicKeyPem"]

    def account_from_key_id(self, key_id: str) -> RemoteAccount | None:
        """SignatureVerification#actor_from_key_id: `acct:` → resolve; a known account by the key's actor URI;
        else FetchRemoteKeyService."""
        if key_id.startswith("acct:"):
            return self.resolve_account(key_id)
        if netloc(key_id) == self.peer.host:
            return None  # a local key is never accepted from outside
        with self.peer.state.lock:
            known = self.peer.state.accounts.get(key_id.split("#", 1)[0])
        return known if known is not None else self.fetch_remote_key(key_id)

    def fetch_remote_key(self, key_id: str) -> RemoteAccount:
        """FetchRemoteKeyService: fetch the key URI; an actor is fetched again by its id (checked); a key document
        needs an owner whose publicKey is this key."""
        doc = self.fetch_resource_without_id_validation(key_id)
        if doc is None:
            raise PeerError(f"Unable to fetch key JSON at {key_id}")
        if _equals_or_includes_any(doc.get("type"), SUPPORTED_ACTOR_TYPES):
            actor = self.fetch_resource(doc.get("id", ""), True)
            if actor is None:
                raise PeerError(f"Unable to fetch actor JSON {doc.get('id')}")
            return self.fetch_remote_actor(actor["id"], prefetched=actor)
        if doc.get("id") != key_id:
            raise PeerError(f"Fetched URI {key_id} has wrong id {doc.get('id')}")
        owner = self.fetch_resource(value_or_id(doc.get("owner")) or "", True)
        if owner is None or value_or_id(owner.get("publicKey")) != doc["id"]:
            raise PeerError(f"publicKey id for {value_or_id(doc.get('owner'))} does not correspond to {doc['id']}")
        return self.fetch_remote_actor(owner["id"], prefetched=owner)

    def refresh_key(self, account: RemoteAccount) -> RemoteAccount | None:
        """actor_refresh_key!: a full refresh (with WebFinger) when the account is possibly stale, else only the
        key."""
        stale = time.time() - account.webfingered_at > STALE_AFTER
        try:
            return self.fetch_remote_actor(account.uri, only_key=not stale)
        except PeerError:
            return None

    # Collections ------------------------------------------------------------------------------------------------

    def collection_items(self, collection_or_uri: Any, *, max_pages: int = 1,
                         reference_uri: str | None = None) -> list[Any] | None:
        """JsonLdHelper#collection_items: the collection (inline or fetched), its `first` page, then `next` pages up
        to max_pages; a page on another host than `reference_uri` is not fetched."""
        page = self._collection_page(collection_or_uri, reference_uri)
        if page is not None and page.get("first"):
            page = self._collection_page(page["first"], reference_uri)
        items: list[Any] = []
        pages = 0
        while isinstance(page, dict):
            items.extend(as_array(page.get("orderedItems") if "Ordered" in str(page.get("type"))
                                  else page.get("items")))
            pages += 1
            if pages >= max_pages or not page.get("next"):
                break
            page = self._collection_page(page["next"], reference_uri)
        return items if pages else None

    def _collection_page(self, value: Any, reference_uri: str | None) -> dict[str, Any] | None:
        if isinstance(value, dict):
            return value
        if not isinstance(value, str) or (reference_uri and netloc(value) != netloc(reference_uri)):
            return None
        return self.fetch_resource_without_id_validation(value)

    # POST -------------------------------------------------------------------------------------------------------

    def deliver(self, inbox: str, activity: dict[str, Any], signer: LocalAccount,
                order: tuple[str, ...] = POST_HEADERS_42) -> httpx.Response:
        """POST an activity as Mastodon's DeliveryWorker does: `Content-Type: application/activity+json`, Digest,
        signed with the signer's `#main-key`."""
        body = json.dumps(activity).encode()
        headers = sign_request("POST", inbox, key_id=signer.key_id, private_key=signer.key,
                               headers={"Content-Type": ACTIVITY_JSON}, body=body, order=order)
        response = self.http.post(inbox, content=body, headers=headers)
        with self.peer.state.lock:
            self.peer.state.sent.append(Sent(inbox, activity, response.status_code, response.text[:2000]))
        return response


def valid_activitypub_content_type(value: str) -> bool:
    """Mastodon's `valid_activitypub_content_type?`: activity+json, or ld+json with the AS profile."""
    parts = [part.strip() for part in value.split(";")]
    mime = parts[0].lower() if parts else ""
    if mime == "application/activity+json":
        return True
    if mime != "application/ld+json":
        return False
    return any(part.startswith('profile="') and AS_CONTEXT in part[9:-1].split() for part in parts[1:])


def supported_context(doc: dict[str, Any]) -> bool:
    """`supported_context?`: @context equals or includes the AS2 URL."""
    return _equals_or_includes_any(doc.get("@context"), (AS_CONTEXT,))


def self_link(jrd: dict[str, Any]) -> str | None:
    """The `self` link's href, if its type is one Mastodon accepts."""
    for link in jrd.get("links") or []:
        if isinstance(link, dict) and link.get("rel") == "self" and link.get("type") in SELF_TYPES:
            return link.get("href")
    return None


def _equals_or_includes_any(haystack: Any, needles: tuple[str, ...]) -> bool:
    values = haystack if isinstance(haystack, list) else [haystack]
    return any(needle in values for needle in needles)


def _is_http(value: Any) -> bool:
    return isinstance(value, str) and urlsplit(value).scheme in ("http", "https") and bool(urlsplit(value).netloc)
