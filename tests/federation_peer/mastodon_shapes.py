"""Activities shaped as Mastodon 4.4 sends them (app/serializers/activitypub/*; reference §6): ids, addressing,
the ostatus extras, contentMap, Mention tags, the `#activity`-style ids, embedded objects in Undo."""

from __future__ import annotations

import html
import uuid
from datetime import datetime, timezone
from typing import Any

from .mastodon_model import AS_CONTEXT, PUBLIC, LocalAccount, now_iso

STATUS_CONTEXT = [
    AS_CONTEXT,
    {"ostatus": "http://ostatus.org#", "atomUri": "ostatus:atomUri", "inReplyToAtomUri": "ostatus:inReplyToAtomUri",
     "conversation": "ostatus:conversation", "sensitive": "as:sensitive", "toot": "http://joinmastodon.org/ns#",
     "votersCount": "toot:votersCount"},
]


def payload_id(account: LocalAccount) -> str:
    """An id like Mastodon's `generate_uri_for` (root_url + a UUID; not dereferenceable)."""
    return f"{account.base}/{uuid.uuid4()}"


def status_id(account: LocalAccount, number: str) -> str:
    """`https://host/users/name/statuses/<id>`."""
    return f"{account.uri}/statuses/{number}"


def follow(account: LocalAccount, target: str) -> dict[str, Any]:
    """Follow (follow_serializer.rb), sent to the target's own inbox."""
    return {"@context": AS_CONTEXT, "id": payload_id(account), "type": "Follow", "actor": account.uri,
            "object": target}


def mention_html(profile_url: str, username: str) -> str:
    """The h-card mention Mastodon writes at the start of a reply."""
    return (f'<span class="h-card" translate="no"><a href="{html.escape(profile_url)}" class="u-url mention">'
            f"@<span>{html.escape(username)}</span></a></span>")


def reply_note(account: LocalAccount, number: str, *, in_reply_to: str, text: str, mentions: list[dict[str, str]],
               published: datetime | None = None, updated: datetime | None = None) -> dict[str, Any]:
    """A public reply Note (note_serializer.rb): mentions in the content, `tag` and `cc`; the ostatus extras."""
    uri = status_id(account, number)
    when = published or datetime.now(timezone.utc)
    content = "<p>" + " ".join(mention_html(m["url"], m["username"]) for m in mentions) + f" {html.escape(text)}</p>"
    note: dict[str, Any] = {
        "id": uri, "type": "Note", "summary": None, "inReplyTo": in_reply_to, "published": now_iso(when),
        "url": f"{account.url}/{number}", "attributedTo": account.uri, "to": [PUBLIC],
        "cc": [account.followers, *[m["href"] for m in mentions]], "sensitive": False, "atomUri": uri,
        "inReplyToAtomUri": in_reply_to,
        "conversation": (f"tag:{account.base.split('://', 1)[1]},{when:%Y-%m-%d}:objectId={number}"
                         ":objectType=Conversation"),
        "content": content, "contentMap": {"en": content}, "attachment": [],
        "tag": [{"type": "Mention", "href": m["href"], "name": m["name"]} for m in mentions],
        "replies": {"id": f"{uri}/replies", "type": "Collection",
                    "first": {"type": "CollectionPage", "next": f"{uri}/replies?only_other_accounts=true&page=true",
                              "partOf": f"{uri}/replies", "items": []}},
        "likes": {"id": f"{uri}/likes", "type": "Collection", "totalItems": 0},
        "shares": {"id": f"{uri}/shares", "type": "Collection", "totalItems": 0},
    }
    if updated is not None:
        note["updated"] = now_iso(updated)
    return note


def create(account: LocalAccount, note: dict[str, Any]) -> dict[str, Any]:
    """Create{Note}: id `<status>/activity`, the Note's addressing and published time."""
    return {"@context": STATUS_CONTEXT, "id": f"{note['id']}/activity", "type": "Create", "actor": account.uri,
            "published": note["published"], "to": note["to"], "cc": note["cc"], "object": note}


def update(account: LocalAccount, note: dict[str, Any]) -> dict[str, Any]:
    """Update{Note} (status_update_distribution_worker.rb): id `<status>#updates/<epoch>`, published = the edit."""
    edited = datetime.strptime(note["updated"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    return {"@context": STATUS_CONTEXT, "id": f"{note['id']}#updates/{int(edited.timestamp())}", "type": "Update",
            "actor": account.uri, "published": note["updated"], "to": note["to"], "cc": note["cc"], "object": note}


def delete(account: LocalAccount, status_uri: str) -> dict[str, Any]:
    """Delete{Tombstone} (delete_serializer.rb), id `<status>#delete`.

    Mastodon also attaches an LD signature (`always_sign: true`); FediScience verifies HTTP signatures only and
    ignores LD signatures, so none is attached here."""
    return {"@context": [AS_CONTEXT, {"ostatus": "http://ostatus.org#", "atomUri": "ostatus:atomUri"}],
            "id": f"{status_uri}#delete", "type": "Delete", "actor": account.uri, "to": [PUBLIC],
            "object": {"id": status_uri, "type": "Tombstone", "atomUri": status_uri}}


def like(account: LocalAccount, number: int, target: str) -> dict[str, Any]:
    """Like (like_serializer.rb): id `<actor>#likes/<favourite id>`."""
    return {"@context": AS_CONTEXT, "id": f"{account.uri}#likes/{number}", "type": "Like", "actor": account.uri,
            "object": target}


def undo(account: LocalAccount, inner: dict[str, Any], undo_id: str) -> dict[str, Any]:
    """Undo with the undone activity embedded (always, in Mastodon); ids like `<actor>#likes/<id>/undo`."""
    embedded = {key: value for key, value in inner.items() if key != "@context"}
    doc = {"@context": AS_CONTEXT, "id": undo_id, "type": "Undo", "actor": account.uri,
           "object": embedded}
    if inner.get("type") == "Announce":
        doc["to"] = [PUBLIC]
    return doc


def announce(account: LocalAccount, number: str, target: str, target_author: str) -> dict[str, Any]:
    """Announce (a boost; activity_serializer.rb): id `<actor>/statuses/<boost id>/activity`, to Public, cc the
    boosted author and the booster's followers."""
    return {"@context": AS_CONTEXT, "id": f"{status_id(account, number)}/activity", "type": "Announce",
            "actor": account.uri, "published": now_iso(), "to": [PUBLIC], "cc": [target_author, account.followers],
            "object": target}


def flag(instance: LocalAccount, objects: list[str], comment: str) -> dict[str, Any]:
    """Flag (flag_serializer.rb): from the instance actor, id `root/<uuid>`, the reported account and statuses."""
    return {"@context": AS_CONTEXT, "id": payload_id(instance), "type": "Flag", "actor": instance.uri,
            "content": comment, "object": objects}
