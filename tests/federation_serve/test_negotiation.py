"""Content negotiation: the same URL answers HTML or ActivityStreams JSON by Accept; pages link their JSON."""

from __future__ import annotations

import re

import pytest

from tests.federation_serve.conftest import BASE, fetch

ACCEPTS = [
    "application/activity+json",
    'application/ld+json; profile="https://www.w3.org/ns/activitystreams"',
    "application/ld+json",
    "application/activity+json, application/ld+json",
    'application/activity+json, application/ld+json; profile="https://www.w3.org/ns/activitystreams", text/html;q=0.1',
]
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def paths(world) -> list[str]:
    return [f"/u/{world.alice}", f"/s/{world.summary}", f"/c/{world.comment}", f"/p/{world.paper}"]


@pytest.mark.parametrize("accept", ACCEPTS)
def test_activity_accept_headers_get_json_whose_id_is_the_url(client, world, accept):
    for path in paths(world):
        response = fetch(client, path, accept)
        assert response.status_code == 200, path
        assert response.headers["Content-Type"] == "application/activity+json"
        assert "Accept" in response.headers["Vary"]
        assert response.get_json(force=True)["id"] == BASE + path


def test_browsers_and_plain_clients_still_get_html(client, world):
    for accept in (BROWSER, "*/*", "", "application/activity+json;q=0, text/html"):
        for path in (f"/u/{world.alice}", f"/s/{world.summary}", f"/p/{world.paper}"):
            response = client.get(path, headers={"Accept": accept} if accept else {})
            assert response.status_code == 200 and response.mimetype == "text/html", (path, accept)
            assert "Accept" in response.headers["Vary"]
    comment = client.get(f"/c/{world.comment}", headers={"Accept": BROWSER})
    assert comment.status_code == 302 and f"/s/{world.summary}" in comment.headers["Location"]


@pytest.mark.parametrize("page, target", [("u", "alice"), ("s", "summary"), ("p", "paper")])
def test_html_pages_link_their_activity_document(client, world, page, target):
    public_id = getattr(world, target)
    html = client.get(f"/{page}/{public_id}").get_data(as_text=True)
    links = re.findall(r'<link rel="alternate" type="application/activity\+json" href="([^"]+)">', html)
    assert links == [f"{BASE}/{page}/{public_id}"]


def test_posts_and_other_paths_are_not_negotiated(client, world):
    assert fetch(client, f"/s/{world.summary}/revisions").mimetype == "text/html"
    assert client.post(f"/s/{world.summary}", headers={"Accept": "application/activity+json"}).status_code == 405


def test_odd_ids_fall_through_to_the_html_views(client, world):
    assert fetch(client, "/u/NOT-AN-ID").status_code == 404
    assert client.get("/u/%00", headers={"Accept": "application/activity+json"}).status_code in (400, 404)


def test_the_context_document_is_served_as_json_ld(client):
    response = client.get("/ns/fediscience.jsonld")
    assert response.status_code == 200 and response.mimetype == "application/ld+json"
    context = response.get_json(force=True)["@context"]
    assert context["doi"] == "fediscience:doi" and context["authors"]["@container"] == "@list"
    assert context["fediscience"].endswith("#")
