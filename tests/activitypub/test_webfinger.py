"""WebFinger resources and documents, host-meta, NodeInfo."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

import pytest

from fediscience.activitypub import nodeinfo
from fediscience.activitypub.errors import WebFingerError
from fediscience.activitypub.webfinger import (
    Acct,
    build_jrd,
    host_meta_xml,
    parse_acct,
    parse_resource,
    read_jrd,
    webfinger_url,
)

ACTOR = "https://our.example/u/alice"


@pytest.mark.parametrize(
    ("resource", "expected"),
    [
        ("acct:alice@our.example", Acct("alice", "our.example")),
        ("ACCT:Alice@OUR.Example", Acct("Alice", "our.example")),
        ("alice@our.example", Acct("alice", "our.example")),
        ("@alice@our.example", Acct("alice", "our.example")),
        (" alice@127.0.0.1:5001 ", Acct("alice", "127.0.0.1:5001")),
        ("alice@localhost:05001", Acct("alice", "localhost:5001")),
        ("papers.example@papers.example", Acct("papers.example", "papers.example")),
        ("bob@bücher.example", Acct("bob", "xn--bcher-kva.example")),
        ("bob@[::1]:8080", Acct("bob", "[::1]:8080")),
    ],
)
def test_accounts(resource: str, expected: Acct) -> None:
    acct = parse_acct(resource)
    assert acct == expected
    assert acct.uri == f"acct:{expected.user}@{expected.host}"


@pytest.mark.parametrize(
    "resource",
    ["", "alice", "@alice", "acct:@our.example", "alice@", "al ice@our.example", "alice@our example",
     "alice@our.example:0", "alice@our.example:70000", "alice@our.example:http", "a/b@our.example",
     "alice@-bad-.example", "mailto:alice@our.example", "x" * 600 + "@our.example"],
)
def test_bad_accounts(resource: str) -> None:
    with pytest.raises(WebFingerError):
        parse_acct(resource)


def test_resources_may_be_urls() -> None:
    assert parse_resource("https://our.example/u/alice") == "https://our.example/u/alice"
    assert parse_resource("acct:alice@our.example") == Acct("alice", "our.example")
    with pytest.raises(WebFingerError):
        parse_resource("https://")


def test_webfinger_url() -> None:
    assert webfinger_url(Acct("alice", "m.example")) == (
        "https://m.example/.well-known/webfinger?resource=acct:alice@m.example"
    )
    assert webfinger_url(Acct("a", "127.0.0.1:5001"), "http").startswith("http://127.0.0.1:5001/.well-known/")


def test_our_jrd() -> None:
    doc = build_jrd(Acct("alice", "our.example"), ACTOR, profile_url="https://our.example/u/alice/profile")
    assert doc["subject"] == "acct:alice@our.example"
    assert doc["aliases"] == ["https://our.example/u/alice/profile", ACTOR]
    assert doc["links"][0] == {"rel": "self", "type": "application/activity+json", "href": ACTOR}
    assert doc["links"][1]["rel"] == "http://webfinger.net/rel/profile-page"
    assert read_jrd(doc).actor_url == ACTOR


def mastodon_jrd(**changes: Any) -> dict[str, Any]:
    """A JRD as Mastodon serves it."""
    doc = {
        "subject": "acct:Gargron@mastodon.social",
        "aliases": ["https://mastodon.social/@Gargron", "https://mastodon.social/users/Gargron"],
        "links": [
            {"rel": "http://webfinger.net/rel/profile-page", "type": "text/html",
             "href": "https://mastodon.social/@Gargron"},
            {"rel": "self", "type": "application/activity+json", "href": "https://mastodon.social/users/Gargron"},
            {"rel": "http://ostatus.org/schema/1.0/subscribe",
             "template": "https://mastodon.social/authorize_interaction?uri={uri}"},
        ],
    }
    doc.update(changes)
    return doc


def test_read_mastodons_jrd() -> None:
    found = read_jrd(mastodon_jrd())
    assert found.actor_url == "https://mastodon.social/users/Gargron"
    assert found.subject == Acct("Gargron", "mastodon.social")
    assert found.aliases == ("https://mastodon.social/@Gargron", "https://mastodon.social/users/Gargron")


def test_read_jrd_with_ld_json_profile() -> None:
    link = {"rel": "self", "type": 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"',
            "href": "https://m.example/users/a"}
    assert read_jrd(mastodon_jrd(links=[link])).actor_url == "https://m.example/users/a"


@pytest.mark.parametrize(
    "doc",
    [
        [],
        mastodon_jrd(subject=""),
        mastodon_jrd(links=[]),
        mastodon_jrd(links=[{"rel": "self", "type": "application/json", "href": "https://m.example/u"}]),
        mastodon_jrd(links=[{"rel": "self", "type": "application/ld+json", "href": "https://m.example/u"}]),
        mastodon_jrd(links=[{"rel": "self", "type": "application/activity+json", "href": "javascript:x"}]),
        mastodon_jrd(links="self"),
    ],
)
def test_bad_jrds(doc: Any) -> None:
    with pytest.raises(WebFingerError):
        read_jrd(doc)


def test_host_meta_declares_the_xrd_namespace() -> None:
    xml = host_meta_xml("https://our.example/")
    root = ET.fromstring(xml)
    assert root.tag == "{http://docs.oasis-open.org/ns/xri/xrd-1.0}XRD"
    link = root.find("{http://docs.oasis-open.org/ns/xri/xrd-1.0}Link")
    assert link is not None and link.get("rel") == "lrdd"
    assert link.get("template") == "https://our.example/.well-known/webfinger?resource={uri}"


def test_nodeinfo_discovery_lists_both_versions() -> None:
    doc = nodeinfo.discovery_document("https://our.example/")
    assert doc == {"links": [
        {"rel": "http://nodeinfo.diaspora.software/ns/schema/2.0", "href": "https://our.example/nodeinfo/2.0"},
        {"rel": "http://nodeinfo.diaspora.software/ns/schema/2.1", "href": "https://our.example/nodeinfo/2.1"},
    ]}


def test_nodeinfo_documents() -> None:
    usage = nodeinfo.NodeUsage(users_total=3, users_active_month=2, users_active_halfyear=3, local_posts=10,
                               local_comments=4)
    v20 = nodeinfo.nodeinfo_document("2.0", software_name="fediscience", software_version="0.1.0", usage=usage,
                                     open_registrations=True, repository="https://git.example/fs")
    assert v20["version"] == "2.0" and v20["software"] == {"name": "fediscience", "version": "0.1.0"}
    assert v20["protocols"] == ["activitypub"] and v20["services"] == {"inbound": [], "outbound": []}
    assert v20["usage"] == {"users": {"total": 3, "activeMonth": 2, "activeHalfyear": 3}, "localPosts": 10,
                            "localComments": 4}
    assert v20["openRegistrations"] is True and v20["metadata"] == {}
    v21 = nodeinfo.nodeinfo_document("2.1", software_name="fediscience", software_version="0.1.0", usage=usage,
                                     open_registrations=False, repository="https://git.example/fs",
                                     metadata={"nodeName": "Lab"})
    assert v21["software"]["repository"] == "https://git.example/fs" and v21["metadata"] == {"nodeName": "Lab"}
    assert nodeinfo.content_type("2.1") == (
        'application/json; profile="http://nodeinfo.diaspora.software/ns/schema/2.1#"'
    )
    with pytest.raises(ValueError):
        nodeinfo.schema_url("3.0")
    with pytest.raises(ValueError):
        nodeinfo.nodeinfo_document("2.0", software_name="Fedi Science", software_version="1", usage=usage,
                                   open_registrations=True)
