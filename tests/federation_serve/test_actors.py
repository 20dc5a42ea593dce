"""Actor documents: a user as a Person, the instance actor as an Application, a paper as a Group."""

from __future__ import annotations

import json

from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from pyld import jsonld
from pyld.documentloader.frozen import BUNDLED_CONTEXTS, FrozenDocumentLoader

from fediscience.activitypub.vocab import AS_CONTEXT, SECURITY_CONTEXT
from fediscience.federation.context import NAMESPACE
from tests.federation_serve.conftest import BASE, fetch, fetch_json

CONTEXT_URL = f"{BASE}/ns/fediscience.jsonld"
MASTODON_USERNAME = r"[a-z0-9_]+([.-]+[a-z0-9_]+)*"


def check_actor(doc: dict, url: str, kind: str) -> None:
    """What Mastodon requires of an actor: AS context, id = URL, type, preferredUsername, inbox, a loadable key."""
    assert doc["@context"][0] == AS_CONTEXT and SECURITY_CONTEXT in doc["@context"]
    assert doc["id"] == url and doc["type"] == kind
    assert doc["preferredUsername"] and doc["inbox"].startswith(BASE)
    assert doc["endpoints"]["sharedInbox"] == f"{BASE}/inbox"
    key = doc["publicKey"]
    assert key["id"] == f"{url}#main-key" and key["owner"] == url
    loaded = load_pem_public_key(key["publicKeyPem"].encode())
    assert isinstance(loaded, rsa.RSAPublicKey) and loaded.key_size == 2048


def expand(client, doc: dict) -> list:
    """Expand a document with JSON-LD, our context fetched from the app, AS and security from pyld's copies."""
    ours = json.loads(client.get("/ns/fediscience.jsonld").get_data(as_text=True))
    loader = FrozenDocumentLoader(documents=dict(BUNDLED_CONTEXTS, **{CONTEXT_URL: ours}))
    return jsonld.expand(doc, {"documentLoader": loader})


def test_a_user_is_a_person_with_every_field_mastodon_reads(client, world):
    url = f"{BASE}/u/{world.alice}"
    doc = fetch_json(client, f"/u/{world.alice}")
    check_actor(doc, url, "Person")
    assert doc["preferredUsername"] == "alice" and doc["name"] == "Alice Liddell"
    assert doc["summary"] == "<p>Machine learning &lt;3<br>and maths.</p><p>Second paragraph.</p>"
    assert doc["url"] == url
    assert (doc["inbox"], doc["outbox"]) == (f"{url}/inbox", f"{url}/outbox")
    assert (doc["followers"], doc["following"]) == (f"{url}/followers", f"{url}/following")
    assert doc["icon"] == {"type": "Image", "mediaType": "image/png", "url": f"{BASE}/media/avatars/abc.png"}
    assert doc["manuallyApprovesFollowers"] is False and doc["discoverable"] is True
    assert doc["published"].endswith("Z")
    fields = {field["name"]: field["value"] for field in doc["attachment"]}
    assert all(field["type"] == "PropertyValue" for field in doc["attachment"])
    assert fields["ORCID"].startswith('<a href="https://orcid.org/0000-0002-1825-0097" rel="me"')
    assert ">0000-0002-1825-0097</a>" in fields["ORCID"]
    assert 'href="https://alice.example/"' in fields["Website"] and ">alice.example</a>" in fields["Website"]


def test_the_person_context_is_real_json_ld(client, world):
    doc = fetch_json(client, f"/u/{world.alice}")
    assert CONTEXT_URL in doc["@context"]
    extensions = doc["@context"][-1]
    assert extensions["manuallyApprovesFollowers"] == "as:manuallyApprovesFollowers"
    assert extensions["PropertyValue"] == "schema:PropertyValue" and extensions["discoverable"] == "toot:discoverable"
    [node] = expand(client, doc)
    assert node["@type"] == ["https://www.w3.org/ns/activitystreams#Person"]
    assert "https://w3id.org/security#publicKey" in node
    assert node["http://joinmastodon.org/ns#discoverable"] == [{"@value": True}]


def test_a_user_without_a_key_gets_one_on_first_fetch(app, client, world):
    from fediscience.db import db
    from fediscience.users.models import Actor

    with app.app_context():
        actor = db.session.query(Actor).filter_by(public_id=world.bob).one()
        actor.public_key_pem = actor.private_key_pem = actor.key_id = None
        db.session.commit()
    first = fetch_json(client, f"/u/{world.bob}")["publicKey"]["publicKeyPem"]
    assert first == fetch_json(client, f"/u/{world.bob}")["publicKey"]["publicKeyPem"]
    with app.app_context():
        assert db.session.query(Actor).filter_by(public_id=world.bob).one().public_key_pem == first


def test_the_instance_actor_is_an_application_fetchable_without_a_signature(client):
    for accept in ("application/activity+json", "*/*", "text/html"):  # always JSON: it has no page
        response = fetch(client, "/actor", accept)
        assert response.status_code == 200 and response.mimetype == "application/activity+json"
    doc = fetch_json(client, "/actor")
    check_actor(doc, f"{BASE}/actor", "Application")
    assert doc["preferredUsername"] == "localhost"
    assert doc["inbox"] == f"{BASE}/actor/inbox" and doc["outbox"] == f"{BASE}/actor/outbox"
    outbox = fetch_json(client, "/actor/outbox")
    assert outbox["totalItems"] == 0 and outbox["id"] == f"{BASE}/actor/outbox"


def test_a_paper_is_a_group_at_its_page_url(client, world):
    url = f"{BASE}/p/{world.paper}"
    doc = fetch_json(client, f"/p/{world.paper}")
    check_actor(doc, url, "Group")
    assert doc["preferredUsername"] == f"paper-{world.paper}"
    assert doc["name"] == "Attention & Robustness" and doc["url"] == url
    assert doc["summary"].startswith("<p>Ada Lovelace, Alan Turing · NeurIPS - 2017</p><p>We study things.")
    assert (doc["doi"], doc["arxiv"], doc["dblp"]) == ("10.1000/xyz123", "1707.06684", "journals/corr/abs-1707-06684")
    assert doc["outbox"] == f"{url}/outbox" and doc["followers"] == f"{url}/followers"
    instance_key = fetch_json(client, "/actor")["publicKey"]["publicKeyPem"]
    assert doc["publicKey"]["publicKeyPem"] == instance_key  # documented: the instance operates paper actors
    [node] = expand(client, doc)
    assert node[f"{NAMESPACE}doi"] == [{"@value": "10.1000/xyz123"}]


def test_every_preferred_username_is_valid_for_mastodon(client, world):
    import re

    for path in (f"/u/{world.alice}", "/actor", f"/p/{world.paper}"):
        assert re.fullmatch(MASTODON_USERNAME, fetch_json(client, path)["preferredUsername"], re.IGNORECASE)


def test_unknown_actors_answer_404_json(client, world):
    for path in ("/u/nosuchuser12", "/p/nosuchpaper1"):
        response = fetch(client, path)
        assert response.status_code == 404 and response.is_json
