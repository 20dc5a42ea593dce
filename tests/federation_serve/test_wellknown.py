"""WebFinger (every resource form, errors, the instance actor, papers), host-meta and NodeInfo."""

from __future__ import annotations

import json
from urllib.parse import quote
from xml.etree import ElementTree

import pytest

from fediscience.activitypub.webfinger import XRD_NAMESPACE, read_jrd
from tests.federation_serve.conftest import BASE


def _app(tmp_path, database_url: str, **settings: object):
    """Another app on the test database (read-only use), with some settings changed."""
    from fediscience import create_app
    from fediscience.config import Settings
    from tests.helpers import TEST_SECRET

    values = {"base_url": "http://localhost", **settings}
    return create_app(Settings(instance_path=tmp_path / "instance", database_url=database_url, secret_key=TEST_SECRET,
                               redis_url=None, **values))


def webfinger(client, resource: str):
    return client.get(f"/.well-known/webfinger?resource={quote(resource, safe='')}")


@pytest.mark.parametrize("form", [
    "acct:alice@localhost", "alice@localhost", "@alice@localhost", "ACCT:ALICE@LOCALHOST", "Alice@LocalHost",
    "{base}/u/{alice}", "{base}/@alice", "HTTP://LOCALHOST/u/{alice}",
])
def test_webfinger_resolves_every_resource_form(client, world, form):
    response = webfinger(client, form.format(base=BASE, alice=world.alice))
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/jrd+json"
    doc = json.loads(response.get_data(as_text=True))
    assert doc["subject"] == "acct:alice@localhost"
    actor = f"{BASE}/u/{world.alice}"
    assert read_jrd(doc).actor_url == actor
    links = {link["rel"]: link for link in doc["links"]}
    assert links["self"] == {"rel": "self", "type": "application/activity+json", "href": actor}
    assert links["http://webfinger.net/rel/profile-page"]["type"] == "text/html"
    assert actor in doc["aliases"]


def test_webfinger_self_link_loops_back_to_the_actor_id(client, world):
    href = read_jrd(json.loads(webfinger(client, "acct:alice@localhost").data)).actor_url
    actor = client.get(href, headers={"Accept": "application/activity+json"}).get_json(force=True)
    assert actor["id"] == href and actor["preferredUsername"] == "alice"


@pytest.mark.parametrize("resource", ["", "   ", "alice", "acct:", "acct:@localhost", "alice@", "al ice@localhost",
                                      "acct:alice@bad_host!", "http://", "x" * 600 + "@localhost"])
def test_webfinger_answers_400_for_a_malformed_resource(client, world, resource):
    assert webfinger(client, resource).status_code == 400


def test_webfinger_answers_400_without_a_resource(client):
    assert client.get("/.well-known/webfinger").status_code == 400


@pytest.mark.parametrize("resource", ["acct:nobody@localhost", "acct:alice@elsewhere.example",
                                      "https://elsewhere.example/u/x", "http://localhost/u/nosuchuser",
                                      "http://localhost/s/whatever", "acct:paper-nosuchpaper@localhost"])
def test_webfinger_answers_404_for_an_unknown_account(client, world, resource):
    assert webfinger(client, resource).status_code == 404


def test_webfinger_resolves_the_instance_actor_and_papers(client, world):
    for resource in ("acct:localhost@localhost", f"{BASE}/actor"):
        doc = json.loads(webfinger(client, resource).data)
        assert doc["subject"] == "acct:localhost@localhost" and read_jrd(doc).actor_url == f"{BASE}/actor"
    doc = json.loads(webfinger(client, f"acct:paper-{world.paper}@localhost").data)
    assert read_jrd(doc).actor_url == f"{BASE}/p/{world.paper}"
    by_url = json.loads(webfinger(client, f"{BASE}/p/{world.paper}").data)
    assert by_url["subject"] == f"acct:paper-{world.paper}@localhost"


def test_webfinger_accepts_a_port_in_the_host(tmp_path, database_url):
    app = _app(tmp_path, database_url, base_url="http://127.0.0.1:8123", allow_private_addresses=True)
    client = app.test_client()
    doc = json.loads(webfinger(client, "acct:127.0.0.1@127.0.0.1:8123").data)
    assert doc["subject"] == "acct:127.0.0.1@127.0.0.1:8123"
    assert read_jrd(doc).actor_url == "http://127.0.0.1:8123/actor"
    assert webfinger(client, "acct:127.0.0.1@127.0.0.1:9999").status_code == 404


def test_host_meta_is_an_xrd_with_its_namespace(client):
    response = client.get("/.well-known/host-meta")
    assert response.status_code == 200 and response.mimetype == "application/xrd+xml"
    root = ElementTree.fromstring(response.data)
    assert root.tag == f"{{{XRD_NAMESPACE}}}XRD"
    [link] = root.findall(f"{{{XRD_NAMESPACE}}}Link")
    assert link.get("rel") == "lrdd"
    assert link.get("template") == f"{BASE}/.well-known/webfinger?resource={{uri}}"


def test_nodeinfo_discovery_links_both_versions(client):
    doc = client.get("/.well-known/nodeinfo").get_json()
    hrefs = {link["rel"]: link["href"] for link in doc["links"]}
    assert hrefs == {
        "http://nodeinfo.diaspora.software/ns/schema/2.0": f"{BASE}/nodeinfo/2.0",
        "http://nodeinfo.diaspora.software/ns/schema/2.1": f"{BASE}/nodeinfo/2.1",
    }


@pytest.mark.parametrize("version", ["2.0", "2.1"])
def test_nodeinfo_documents_have_every_required_field(client, world, version):
    response = client.get(f"/nodeinfo/{version}")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == (
        f'application/json; profile="http://nodeinfo.diaspora.software/ns/schema/{version}#"'
    )
    doc = json.loads(response.data)
    assert doc["version"] == version
    assert doc["software"]["name"] == "fediscience" and doc["software"]["version"]
    assert doc["protocols"] == ["activitypub"] and doc["services"] == {"inbound": [], "outbound": []}
    assert doc["openRegistrations"] is True and isinstance(doc["metadata"], dict)
    users = doc["usage"]["users"]
    assert users["total"] == 3 and 0 <= users["activeMonth"] <= users["activeHalfyear"] <= 3
    assert users["activeMonth"] == 3  # each wrote a summary today (public, private or draft)
    assert doc["usage"]["localPosts"] == 1  # the private summary and the draft are not counted
    assert doc["usage"]["localComments"] == 2
    assert client.get("/nodeinfo/1.0").status_code == 404


def test_nodeinfo_reports_closed_registrations(tmp_path, database_url):
    app = _app(tmp_path, database_url, registration_open=False)
    assert app.test_client().get("/nodeinfo/2.1").get_json(force=True)["openRegistrations"] is False
