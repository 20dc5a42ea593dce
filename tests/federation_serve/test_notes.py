"""Summaries and comments as Notes; drafts and private summaries never federate; deleted objects are Tombstones."""

from __future__ import annotations

from fediscience.activitypub import PUBLIC
from fediscience.activitypub.hashtags import is_valid_hashtag
from fediscience.federation.context import NAMESPACE
from tests.federation_serve.conftest import BASE, fetch, fetch_json
from tests.federation_serve.test_actors import expand
from tests.helpers import login, post_form


def test_a_summary_is_a_note_starting_with_title_and_citation(client, world):
    url = f"{BASE}/s/{world.summary}"
    note = fetch_json(client, f"/s/{world.summary}")
    assert note["id"] == url and note["type"] == "Note" and note["url"] == url
    assert note["content"].startswith(
        "<p><strong>Attention &amp; Robustness</strong></p>"
        "<p>Ada Lovelace, Alan Turing · NeurIPS - 2017</p><p>We minimise"
    )
    assert note["name"] == "Summary of Attention & Robustness"
    assert note["attributedTo"] == f"{BASE}/u/{world.alice}"
    assert note["to"] == [PUBLIC] and note["cc"] == [f"{BASE}/u/{world.alice}/followers"]
    assert note["audience"] == f"{BASE}/p/{world.paper}"
    assert note["published"].endswith("Z") and "updated" not in note
    assert "summary" not in note and "inReplyTo" not in note


def test_the_note_keeps_mathml_with_tex_and_its_markdown_source(client, world):
    note = fetch_json(client, f"/s/{world.summary}")
    assert "<math" in note["content"]
    assert '<annotation encoding="application/x-tex">L = \\sum_i (y_i - \\hat{y}_i)^2</annotation>' in note["content"]
    assert note["source"]["mediaType"] == "text/markdown"
    assert note["source"]["content"].startswith("We minimise $L = \\sum_i")


def test_the_note_carries_the_paper_under_our_context(client, world):
    note = fetch_json(client, f"/s/{world.summary}")
    assert note["@context"][:2] == ["https://www.w3.org/ns/activitystreams", f"{BASE}/ns/fediscience.jsonld"]
    paper = note["paper"]
    assert paper["type"] == "Paper" and paper["id"] == f"{BASE}/p/{world.paper}"
    identifiers = (paper["doi"], paper["arxiv"], paper["dblp"])
    assert identifiers == ("10.1000/xyz123", "1707.06684", "journals/corr/abs-1707-06684")
    assert paper["title"] == "Attention & Robustness" and paper["authors"] == ["Ada Lovelace", "Alan Turing"]
    assert (paper["venue"], paper["year"]) == ("NeurIPS", 2017)
    [node] = expand(client, note)
    [expanded] = node[f"{NAMESPACE}paper"]
    assert expanded["@type"] == [f"{NAMESPACE}Paper"]
    assert expanded[f"{NAMESPACE}arxiv"] == [{"@value": "1707.06684"}]
    assert expanded[f"{NAMESPACE}authors"] == [{"@list": [{"@value": "Ada Lovelace"}, {"@value": "Alan Turing"}]}]


def test_keywords_become_valid_hashtags(client, world):
    tags = fetch_json(client, f"/s/{world.summary}")["tag"]
    assert [tag["name"] for tag in tags] == ["#csLG", "#GraphNeuralNetworks", "#statML"]  # "2023" has no letter
    assert all(tag["type"] == "Hashtag" and is_valid_hashtag(tag["name"][1:]) for tag in tags)
    assert tags[0]["href"] == f"{BASE}/search?q=cs.LG"


def test_images_are_attachments_at_most_four(client, world):
    attachments = fetch_json(client, f"/s/{world.summary}")["attachment"]
    assert [a["url"] for a in attachments] == [f"https://img.example/fig{n}.png" for n in range(1, 5)]
    assert all(a["type"] == "Image" and a["mediaType"] == "image/png" for a in attachments)
    assert attachments[0]["name"] == "Figure 1"


def test_the_note_has_replies_likes_and_shares(client, world):
    note = fetch_json(client, f"/s/{world.summary}")
    replies = note["replies"]
    assert replies["id"] == f"{BASE}/s/{world.summary}/replies" and replies["totalItems"] == 1
    assert replies["first"]["orderedItems"] == [f"{BASE}/c/{world.comment}"]  # direct replies only
    assert replies["first"]["partOf"] == replies["id"]
    assert note["likes"] == {"id": f"{BASE}/s/{world.summary}/likes", "type": "OrderedCollection", "totalItems": 2}
    assert note["shares"]["totalItems"] == 0


def test_an_edit_after_publication_sets_updated(app, client, world):
    login(client, "alice")
    response = post_form(client, f"/s/{world.summary}/edit", {"source": "Edited text.", "save": "Save"})
    assert response.status_code == 302
    note = fetch_json(client, f"/s/{world.summary}")
    assert note["updated"] >= note["published"] and "Edited text." in note["content"]


def test_a_comment_is_a_reply_note_mentioning_the_parent_author(client, world):
    url = f"{BASE}/c/{world.reply}"
    note = fetch_json(client, f"/c/{world.reply}")
    assert note["id"] == url and note["type"] == "Note"
    assert note["inReplyTo"] == f"{BASE}/c/{world.comment}"
    assert note["attributedTo"] == f"{BASE}/u/{world.alice}"
    assert note["to"] == [PUBLIC]
    assert note["cc"] == [f"{BASE}/u/{world.alice}/followers", f"{BASE}/u/{world.bob}"]
    assert note["tag"] == [{"type": "Mention", "href": f"{BASE}/u/{world.bob}", "name": "@bob@localhost"}]
    mention = (f'<span class="h-card" translate="no"><a href="{BASE}/u/{world.bob}" class="u-url mention">'
               "@<span>bob</span></a></span>")
    assert note["content"].strip() == f"<p>{mention} Good point.</p>" and note["source"]["content"] == "Good point."
    assert note["replies"]["totalItems"] == 0 and "summary" not in note
    top = fetch_json(client, f"/c/{world.comment}")
    assert top["inReplyTo"] == f"{BASE}/s/{world.summary}" and "<math" in top["content"]
    assert top["replies"]["first"]["orderedItems"] == [url]


def test_drafts_and_private_summaries_answer_404_to_activity_requests(client, world):
    for public_id in (world.private, world.draft):
        response = fetch(client, f"/s/{public_id}")
        assert response.status_code == 404 and b"A private one" not in response.data
        assert fetch(client, f"/s/{public_id}/replies").status_code == 404


def test_the_share_link_of_a_private_summary_still_works_in_html(app, client, world):
    from fediscience.db import db
    from fediscience.summaries.models import Summary

    with app.app_context():
        token = db.session.query(Summary).filter_by(public_id=world.private).one().share_token
    assert fetch(client, f"/s/{world.private}?share={token}").status_code == 404
    page = client.get(f"/s/{world.private}?share={token}")
    assert page.status_code == 200 and b"A private one" in page.data
    assert b"application/activity+json" not in page.data  # no alternate for what never federates


def test_a_deleted_summary_answers_410_with_a_tombstone(client, world):
    login(client, "alice")
    assert post_form(client, f"/s/{world.summary}/delete", {}).status_code == 302
    response = fetch(client, f"/s/{world.summary}")
    assert response.status_code == 410 and response.mimetype == "application/activity+json"
    doc = response.get_json(force=True)
    assert doc["type"] == "Tombstone" and doc["id"] == f"{BASE}/s/{world.summary}"
    assert doc["formerType"] == "Note" and doc["deleted"].endswith("Z")
    assert client.get(f"/s/{world.summary}").status_code == 404  # HTML as before


def test_a_deleted_comment_answers_410_with_a_tombstone(app, client, world):
    login(client, "bob")
    assert post_form(client, f"/c/{world.comment}/delete", {}).status_code == 302
    response = fetch(client, f"/c/{world.comment}")
    assert response.status_code == 410
    assert response.get_json(force=True)["id"] == f"{BASE}/c/{world.comment}"
    from fediscience.db import db
    from fediscience.federation.models import Tombstone

    with app.app_context():
        assert db.session.get(Tombstone, f"{BASE}/c/{world.comment}").former_type == "Note"
    replies = fetch_json(client, f"/s/{world.summary}/replies?page=1")
    assert replies["orderedItems"] == [] and replies["totalItems"] == 0


def test_making_a_summary_private_leaves_no_tombstone(app, client, world):
    login(client, "alice")
    response = post_form(client, f"/s/{world.summary}/edit", {"source": "Hidden.", "private": "y", "save": "Save"})
    assert response.status_code == 302
    assert fetch(client, f"/s/{world.summary}").status_code == 404
