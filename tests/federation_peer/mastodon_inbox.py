"""What the peer does with a verified inbox POST, by Mastodon's rules: ProcessCollectionService's gates, then
the activity handlers of app/lib/activitypub/activity/*.rb for what FediScience sends (Accept, Reject, Create,
Update, Delete; anything else is recorded and ignored).

Every payload Mastodon would drop is recorded as a `Problem` (our server should never send one)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .mastodon_client import PeerError, supported_context
from .mastodon_model import PUBLIC, Received, RemoteAccount, RemoteStatus, as_array, netloc, value_or_id
from .mastodon_sanitizer import sanitize, visible_text

if TYPE_CHECKING:
    from .mastodon_peer import MastodonPeer

NOTE_TYPES = ("Note", "Question")
CONVERTED_TYPES = ("Image", "Audio", "Video", "Article", "Page", "Event")
MAX_REPLIES = 5
PUBLIC_ALIASES = (PUBLIC, "as:Public", "Public")


class InboxProcessor:
    """Mastodon's ProcessingWorker for the peer (one background thread runs it, in arrival order)."""

    def __init__(self, peer: "MastodonPeer") -> None:
        self.peer = peer
        self.state = peer.state

    def process(self, received: Received, signer: RemoteAccount) -> str:
        """Run the gates and the handler; returns an outcome word, also stored on `received`."""
        activity = received.activity
        where = f"POST {received.path} ({value_or_id(activity.get('id')) if isinstance(activity, dict) else '?'})"
        if not isinstance(activity, dict) or not supported_context(activity):
            self.state.problem("@context", where, "the activity's @context does not include the AS2 URL: dropped")
            return "dropped: unsupported context"
        actor = value_or_id(activity.get("actor"))
        if actor is not None and actor != signer.uri:
            self.state.problem("signer = actor", where, f"signed by {signer.uri} but the actor is {actor}: dropped")
            return "dropped: different actor"
        handler = getattr(self, f"on_{str(activity.get('type')).lower()}", None)
        if handler is None:
            return f"ignored: {activity.get('type')}"
        try:
            return handler(activity, signer, where)
        except PeerError as exc:
            self.state.problem("processing", where, str(exc))
            return f"failed: {exc}"

    # Follows ----------------------------------------------------------------------------------------------------

    def on_accept(self, activity: dict[str, Any], signer: RemoteAccount, where: str) -> str:
        """accept.rb: the FollowRequest with the object's id, else the embedded Follow by our account."""
        follow = self._follow_request(activity, signer)
        if follow is None:
            self.state.problem("Accept", where, "no follow request of ours matches the Accept")
            return "ignored: unknown follow"
        with self.state.lock:
            follow.update(state="accepted", accept=activity)
        return "accepted"

    def on_reject(self, activity: dict[str, Any], signer: RemoteAccount, where: str) -> str:
        """reject.rb: the follow request goes."""
        follow = self._follow_request(activity, signer)
        if follow is None:
            return "ignored: unknown follow"
        with self.state.lock:
            follow.update(state="rejected", reject=activity)
        return "rejected"

    def _follow_request(self, activity: dict[str, Any], signer: RemoteAccount) -> dict[str, Any] | None:
        obj = activity.get("object")
        with self.state.lock:
            by_id = self.state.follows.get(value_or_id(obj) or "")
            if by_id is not None and by_id["target"] == signer.uri:
                return by_id
            if isinstance(obj, dict) and obj.get("type") == "Follow":
                return next((f for f in self.state.follows.values()
                             if f["actor"] == value_or_id(obj.get("actor")) and f["target"] == signer.uri), None)
        return None

    # Statuses ---------------------------------------------------------------------------------------------------

    def on_create(self, activity: dict[str, Any], signer: RemoteAccount, where: str) -> str:
        """create.rb: object type, same host as the actor, no tombstone, related to this instance; then the status,
        its mentions (notifications) and its replies collection (fetch_replies)."""
        note = self._dereference(activity, signer, where)
        if note is None:
            return "dropped: no object"
        kind = note.get("type")
        if not any(t in as_array(kind) for t in NOTE_TYPES + CONVERTED_TYPES):
            self.state.problem("object type", where, f"unsupported object type {kind!r}")
            return "dropped: object type"
        uri = note.get("id", "")
        if netloc(uri) != netloc(signer.uri):
            self.state.problem("object origin", where, f"the object {uri} is not on the actor's host")
            return "dropped: host mismatch"
        if value_or_id(note.get("attributedTo")) != signer.uri:
            self.state.problem("attributedTo", where, f"{note.get('attributedTo')!r} is not the actor {signer.uri}")
        if uri in self.state.tombstones:
            return "dropped: tombstone"
        if not self._related_to_local_activity(note, signer):
            return "dropped: unrelated"
        if any(t in as_array(kind) for t in CONVERTED_TYPES):
            self.state.problem("object type", where, f"a {kind} shows on Mastodon as its name and link only")
        status = self._store(note, activity, signer)
        self._notify_mentions(status)
        self._fetch_replies(note, signer)
        return "created"

    def on_update(self, activity: dict[str, Any], signer: RemoteAccount, where: str) -> str:
        """update.rb: an actor updating itself is refreshed from the embedded document with
        `signed_with_known_key: true` (a new publicKey replaces the stored one without the refollow); a Note of
        this actor is edited only when `updated` is present and newer than the stored edit
        (ProcessStatusUpdateService)."""
        obj = activity.get("object")
        if value_or_id(obj) == signer.uri:
            if isinstance(obj, dict):
                self.peer.client.fetch_remote_actor(signer.uri, prefetched={**obj, "@context": activity["@context"]},
                                                    only_key=True, signed_with_known_key=True)
            return "account updated"
        if not isinstance(obj, dict):
            return "ignored: update without object"
        with self.state.lock:
            status = self.state.remote_statuses.get(obj.get("id", ""))
        if status is None or status.account_uri != signer.uri or status.deleted:
            return "ignored: unknown status"
        if not any(t in as_array(obj.get("type")) for t in NOTE_TYPES):
            return "ignored: converted type"
        edited = obj.get("updated")
        if not edited or (status.edited_at is not None and edited <= status.edited_at):
            return "ignored: not newer"
        fresh = self._visible(obj)
        with self.state.lock:
            status.note, status.sanitized, status.text = obj, fresh[0], fresh[1]
            status.edited_at, status.activity = edited, activity
        return "edited"

    def on_delete(self, activity: dict[str, Any], signer: RemoteAccount, where: str) -> str:
        """delete.rb: the actor itself, or one of its statuses (a Tombstone is kept)."""
        object_id = value_or_id(activity.get("object"))
        with self.state.lock:
            if object_id == signer.uri:
                self.state.accounts.pop(signer.uri, None)
                return "account deleted"
            status = self.state.remote_statuses.get(object_id or "")
            self.state.tombstones.add(object_id or "")
            if status is None or status.account_uri != signer.uri:
                return "ignored: unknown status"
            status.deleted = True
        return "deleted"

    def _dereference(self, activity: dict[str, Any], signer: RemoteAccount, where: str) -> dict[str, Any] | None:
        obj = activity.get("object")
        if isinstance(obj, dict):
            return obj
        if not isinstance(obj, str) or netloc(obj) != netloc(signer.uri):
            self.state.problem("object", where, f"the object {obj!r} cannot be dereferenced on the actor's origin")
            return None
        return self.peer.client.fetch_resource(obj, True)

    def _related_to_local_activity(self, note: dict[str, Any], signer: RemoteAccount) -> bool:
        """The author has a local follower, the status replies to a local one, or it addresses a local account."""
        with self.state.lock:
            followed = any(f["target"] == signer.uri and f["state"] == "accepted" for f in self.state.follows.values())
            own = set(self.state.own_statuses)
        local = {self.peer.user.uri, self.peer.user.followers}
        addressed = {value_or_id(v) for key in ("to", "cc") for v in as_array(note.get(key))}
        mentioned = set(mention_hrefs(note))
        return followed or note.get("inReplyTo") in own or bool((addressed | mentioned) & local)

    def _store(self, note: dict[str, Any], activity: dict[str, Any], signer: RemoteAccount) -> RemoteStatus:
        sanitized, text = self._visible(note)
        mentions = mention_hrefs(note)
        status = RemoteStatus(
            uri=note["id"], account_uri=signer.uri, activity_id=str(activity.get("id")), note=note,
            sanitized=sanitized, text=text, in_reply_to=value_or_id(note.get("inReplyTo")), mentions=mentions,
            visibility=visibility(note, signer), edited_at=note.get("updated"), activity=activity,
            signer_key_id=signer.key_id or "",
        )
        with self.state.lock:
            self.state.remote_statuses[status.uri] = status
        return status

    def _visible(self, note: dict[str, Any]) -> tuple[str, str]:
        """The status text (`content`, else the first contentMap value) sanitised as Mastodon 4.4 shows it."""
        content = note.get("content")
        if not content and isinstance(note.get("contentMap"), dict) and note["contentMap"]:
            content = next(iter(note["contentMap"].values()))
        sanitized = sanitize(content or "", "4.4")
        return sanitized, visible_text(sanitized)

    def _notify_mentions(self, status: RemoteStatus) -> None:
        """Mentions of local accounts notify them (notifications come from Mention tags, not from inReplyTo)."""
        for href in status.mentions:
            if href == self.peer.user.uri:
                with self.state.lock:
                    self.state.notifications.append({"type": "mention", "status": status.uri,
                                                     "from": status.account_uri})
            elif href not in self.state.accounts and netloc(href or "") != self.peer.host:
                self.peer.client.fetch_remote_actor(href)

    def _fetch_replies(self, note: dict[str, Any], signer: RemoteAccount) -> None:
        """FetchRepliesService: the first page of `replies`; up to five items on the author's host are fetched."""
        collection = note.get("replies")
        if not collection:
            return
        items = self.peer.client.collection_items(collection, max_pages=1, reference_uri=signer.uri) or []
        same_host = [value_or_id(i) for i in items if netloc(value_or_id(i) or "") == netloc(signer.uri)]
        for uri in same_host[:MAX_REPLIES]:
            with self.state.lock:
                known = uri in self.state.remote_statuses
            if not known:
                self.peer.client.fetch_resource(uri, True)


def mention_hrefs(note: dict[str, Any]) -> list[str]:
    """The hrefs of the Note's Mention tags."""
    tags = as_array(note.get("tag"))
    return [t.get("href") for t in tags if isinstance(t, dict) and t.get("type") == "Mention"]


def visibility(note: dict[str, Any], account: RemoteAccount) -> str:
    """StatusParser#visibility: Public in `to` → public, in `cc` → unlisted, followers in `to` → private, else
    direct."""
    to = [value_or_id(v) for v in as_array(note.get("to"))]
    cc = [value_or_id(v) for v in as_array(note.get("cc"))]
    if any(p in to for p in PUBLIC_ALIASES):
        return "public"
    if any(p in cc for p in PUBLIC_ALIASES):
        return "unlisted"
    if account.followers and account.followers in to:
        return "private"
    return "direct"
